import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ArchiveUploader,
  archiveObjectKey,
  parseArchiveUrl,
} from '../../../../../infra/local/media/plane/archive-upload.js';

describe('archiveObjectKey', () => {
  it('appends the name modifier and a 6-digit counter to the destination base filename', () => {
    expect(
      archiveObjectKey('s3ssl://archive-bucket/2026/11/23/ABC-1700000000/_1/archive', '_1080p', 0, 'ts'),
    ).toEqual({ bucket: 'archive-bucket', key: '2026/11/23/ABC-1700000000/_1/archive_1080p.000000.ts' });
    expect(archiveObjectKey('s3://b/x/archive', '', 1234567, 'ts').key).toBe('x/archive.1234567.ts');
  });

  it('refuses a destination that is not S3', () => {
    expect(() => parseArchiveUrl('https://bucket/path')).toThrow(/not an S3 archive destination/);
  });
});

describe('ArchiveUploader', () => {
  const s3mock = mockClient(S3Client);
  let dir: string;
  const logs: string[] = [];

  beforeEach(async () => {
    s3mock.reset();
    logs.length = 0;
    dir = await mkdtemp(path.join(tmpdir(), 'archive-upload-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  async function file(name: string): Promise<string> {
    const full = path.join(dir, name);
    await writeFile(full, name);
    return full;
  }

  it('uploads files one at a time in the order queued, then deletes them locally', async () => {
    s3mock.on(PutObjectCommand).resolves({});
    const uploader = new ArchiveUploader(new S3Client({ region: 'us-east-1' }), (l) => logs.push(l), 1);
    const first = await file('000000.ts');
    const second = await file('000001.ts');
    void uploader.upload(first, { bucket: 'b', key: 'k0' });
    void uploader.upload(second, { bucket: 'b', key: 'k1' });
    await uploader.idle();
    const inputs = s3mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => [input.Bucket, input.Key, input.ContentLength])).toEqual([
      ['b', 'k0', 9],
      ['b', 'k1', 9],
    ]);
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(false);
  });

  it('retries a failed upload', async () => {
    s3mock.on(PutObjectCommand).rejectsOnce(new Error('slow down')).resolves({});
    const uploader = new ArchiveUploader(new S3Client({ region: 'us-east-1' }), (l) => logs.push(l), 1);
    await uploader.upload(await file('000000.ts'), { bucket: 'b', key: 'k0' });
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(2);
    expect(logs).toEqual(['archive: stored s3://b/k0 (9 bytes)']);
  });

  it('keeps the local file and says so after the last attempt fails', async () => {
    s3mock.on(PutObjectCommand).rejects(new Error('no such bucket'));
    const uploader = new ArchiveUploader(new S3Client({ region: 'us-east-1' }), (l) => logs.push(l), 1);
    const kept = await file('000000.ts');
    await uploader.upload(kept, { bucket: 'b', key: 'k0' });
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(4);
    expect(existsSync(kept)).toBe(true);
    expect(logs[0]).toMatch(/giving up on s3:\/\/b\/k0, kept .*no such bucket/);
  });
});
