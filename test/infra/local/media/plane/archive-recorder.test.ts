import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveRecorder, type ArchiveRun } from '../../../../../infra/local/media/plane/archive-recorder.js';
import { ArchiveUploader } from '../../../../../infra/local/media/plane/archive-upload.js';
import { planEncoding } from '../../../../../infra/local/media/plane/encoder-plan.js';
import { aChannel } from './channel-builder.js';

const s3mock = mockClient(S3Client);
let dir: string;

beforeEach(async () => {
  s3mock.reset();
  s3mock.on(PutObjectCommand).resolves({});
  dir = await mkdtemp(path.join(tmpdir(), 'archive-recorder-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function recorder(): ArchiveRecorder {
  const plan = planEncoding(aChannel());
  return new ArchiveRecorder('1234567', plan.archives, new ArchiveUploader(new S3Client({}), () => {}, 1));
}

/** Two MPEG-TS packets' worth of bytes (a sync byte first), as far as the recorder can tell. */
const TS_BYTES = Buffer.alloc(2 * 188, 0x47);

/** Writes the files FFmpeg would have written, listing in the CSV only the `closed` ones. */
async function ffmpegWrote(
  run: ArchiveRun,
  counters: number[],
  closed: number[],
  bytes = TS_BYTES,
): Promise<void> {
  const target = run.targets[0]!;
  await mkdir(path.join(dir, target.dir), { recursive: true });
  for (const counter of counters) {
    await writeFile(path.join(dir, target.dir, `${String(counter).padStart(6, '0')}.ts`), bytes);
  }
  const csv = closed.map((c) => `${String(c).padStart(6, '0')}.ts,${c * 4},${c * 4 + 4}\n`).join('');
  await writeFile(path.join(dir, target.dir, 'files.csv'), csv);
}

function uploadedKeys(): string[] {
  return s3mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key ?? '');
}

describe('ArchiveRecorder', () => {
  it('uploads only the files FFmpeg has closed while it runs', async () => {
    const archive = recorder();
    const run = archive.startRun(0, dir, 'archive/1234567/run1');
    expect(run.targets[0]?.startNumber).toBe(0);
    await ffmpegWrote(run, [0, 1], [0]);
    await run.collect(false);
    await archive.flushed();
    expect(uploadedKeys()).toEqual(['2026/11/23/ABC-1700000000/_1/archive_1080p.000000.ts']);
  });

  it('takes the last file when FFmpeg has exited and continues the counter on the next run', async () => {
    const archive = recorder();
    const first = archive.startRun(0, dir, 'archive/1234567/run1');
    await ffmpegWrote(first, [0, 1, 2], [0, 1]);
    await first.collect(false);
    await first.collect(true);
    const second = archive.startRun(0, dir, 'archive/1234567/run2');
    expect(second.targets[0]?.startNumber).toBe(3);
    await ffmpegWrote(second, [3], [3]);
    await second.collect(true);
    await archive.flushed();
    expect(uploadedKeys()).toEqual(
      [0, 1, 2, 3].map((n) => `2026/11/23/ABC-1700000000/_1/archive_1080p.00000${n}.ts`),
    );
  });

  it('cuts the file FFmpeg was writing when it died at its last whole packet, and drops an empty one', async () => {
    const archive = recorder();
    const run = archive.startRun(0, dir, 'archive/1234567/run1');
    await ffmpegWrote(run, [0, 1], [0], Buffer.concat([TS_BYTES, Buffer.alloc(100, 0x47)]));
    await writeFile(path.join(dir, run.targets[0]!.dir, '000002.ts'), Buffer.alloc(50, 0x47));
    const sizes: number[] = [];
    s3mock.on(PutObjectCommand).callsFake((input: { ContentLength?: number }) => {
      sizes.push(input.ContentLength ?? -1);
      return {};
    });
    await run.collect(true);
    await archive.flushed();
    expect(uploadedKeys()).toEqual(
      [0, 1].map((n) => `2026/11/23/ABC-1700000000/_1/archive_1080p.00000${n}.ts`),
    );
    expect(sizes).toEqual([476, 376]);
    expect(existsSync(path.join(dir, run.targets[0]!.dir, '000002.ts'))).toBe(false);
  });

  it("writes a manifest that says where the run's files go, for a restart to upload them", async () => {
    const archive = recorder();
    const run = archive.startRun(1, dir, 'archive/1234567/run1');
    await run.prepare();
    const manifest = JSON.parse(await readFile(path.join(dir, 'archive/1234567/run1/run.json'), 'utf8'));
    expect(manifest).toEqual({
      channelId: '1234567',
      pipeline: 1,
      outputs: [
        {
          dir: 'archive/1234567/run1/archive_1080p',
          destination: 's3ssl://archive-bucket/2026/11/23/ABC-1700000000/_2/archive',
          nameModifier: '_1080p',
          extension: 'ts',
        },
      ],
    });
  });

  it('counts each pipeline on its own and writes it to its own destination', async () => {
    const archive = recorder();
    const first = archive.startRun(0, dir, 'archive/1234567/run1');
    await ffmpegWrote(first, [0, 1], [0, 1]);
    await first.collect(true);
    const other = archive.startRun(1, dir, 'archive/1234567/run2');
    expect(other.targets[0]?.startNumber).toBe(0);
    await ffmpegWrote(other, [0], [0]);
    await other.collect(true);
    await archive.flushed();
    expect(uploadedKeys().at(-1)).toBe('2026/11/23/ABC-1700000000/_2/archive_1080p.000000.ts');
  });

  it('removes a run folder once all its files are uploaded, and keeps one with a file left', async () => {
    const archive = recorder();
    const run = archive.startRun(0, dir, 'archive/1234567/run1');
    await ffmpegWrote(run, [0], [0]);
    await run.collect(true);
    await archive.flushed();
    await run.cleanUp();
    expect(existsSync(path.join(dir, run.targets[0]!.dir))).toBe(false);
    expect(existsSync(path.join(dir, 'archive/1234567/run1'))).toBe(false);

    s3mock.on(PutObjectCommand).rejects(new Error('down'));
    const failing = archive.startRun(0, dir, 'archive/1234567/run2');
    await ffmpegWrote(failing, [1], [1]);
    await failing.collect(true);
    await archive.flushed();
    await failing.cleanUp();
    expect(existsSync(path.join(dir, failing.targets[0]!.dir, '000001.ts'))).toBe(true);
  });
});
