/**
 * The archive of one running channel: which counter each encoder run starts at, and which closed
 * files are ready to upload.
 *
 * MediaLive's counter starts at 000000 when the channel starts and never goes back while it runs,
 * so when a publisher drops and comes back (a new FFmpeg run) the numbering continues instead of
 * overwriting the session's first files. Each pipeline (rtmp1 → `_1`, rtmp2 → `_2`) counts alone.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ArchiveUploader, archiveObjectKey } from './archive-upload.js';
import { type ArchiveTarget, archiveListFile } from './encoder-command.js';
import type { ArchiveOutput } from './encoder-plan.js';

/** Written beside a run's archive folders: what a restarted service needs to upload what is left. */
export const RUN_MANIFEST = 'run.json';

export interface RunManifest {
  channelId: string;
  pipeline: number;
  outputs: Array<{
    /** Relative to the media folder, like `ArchiveTarget.dir`. */
    dir: string;
    /** The S3 destination URL of this output for the run's pipeline. */
    destination: string;
    nameModifier: string;
    extension: string;
  }>;
}

/** An MPEG-TS packet: files are cut at a multiple of it to stay playable. */
const TS_PACKET_BYTES = 188;
const TS_SYNC_BYTE = 0x47;

/**
 * Makes the file FFmpeg was writing when it died playable: cut at its last whole 188-byte packet.
 * Returns false (the file is left alone) if it holds no whole packet or does not start like
 * MPEG-TS; such a file has nothing worth uploading.
 */
export async function trimToWholePackets(file: string): Promise<boolean> {
  const { size } = await stat(file);
  const whole = size - (size % TS_PACKET_BYTES);
  if (whole === 0) return false;
  const first = await readFile(file).then((bytes) => bytes[0]);
  if (first !== TS_SYNC_BYTE) return false;
  if (whole !== size) await truncate(file, whole);
  return true;
}

interface RunOutput {
  output: ArchiveOutput;
  target: ArchiveTarget;
  queued: Set<number>;
}

/** One encoder run's archive outputs for one pipeline. */
export class ArchiveRun {
  readonly #outputs: RunOutput[];

  constructor(
    readonly recorder: ArchiveRecorder,
    readonly pipeline: number,
    /** Absolute folder against which the targets' relative folders resolve. */
    readonly baseDir: string,
    /** The run's folder, relative to `baseDir`: the manifest's, with one folder per output inside. */
    readonly runDir: string,
    outputs: RunOutput[],
  ) {
    this.#outputs = outputs;
  }

  get targets(): ArchiveTarget[] {
    return this.#outputs.map((o) => o.target);
  }

  /**
   * Creates the run's folders and its manifest, so that what FFmpeg leaves here when the service
   * dies can still be uploaded, under the same keys, by the next start (archive-recovery.ts).
   */
  async prepare(): Promise<void> {
    for (const run of this.#outputs)
      await mkdir(path.join(this.baseDir, run.target.dir), { recursive: true });
    const manifest: RunManifest = {
      channelId: this.recorder.channelId,
      pipeline: this.pipeline,
      outputs: this.#outputs.flatMap((run) => {
        const destination = destinationFor(run.output, this.pipeline);
        return destination
          ? [
              {
                dir: run.target.dir,
                destination,
                nameModifier: run.output.nameModifier,
                extension: run.output.extension,
              },
            ]
          : [];
      }),
    };
    await writeFile(path.join(this.baseDir, this.runDir, RUN_MANIFEST), JSON.stringify(manifest));
  }

  /**
   * Queues the files FFmpeg has closed. `final` (FFmpeg has exited) also takes files that never
   * reached the list (a crash): they are complete as far as anyone will ever write them.
   */
  async collect(final: boolean): Promise<void> {
    for (const run of this.#outputs) {
      const dir = path.join(this.baseDir, run.target.dir);
      const listed = await closedFiles(path.join(this.baseDir, archiveListFile(run.target)));
      const found = final ? await filesIn(dir) : [];
      for (const counter of [...new Set([...listed, ...found])].sort((a, b) => a - b)) {
        if (run.queued.has(counter)) continue;
        run.queued.add(counter);
        const file = path.join(dir, fileName(counter));
        // A file FFmpeg never listed was being written when it stopped: keep its whole packets.
        if (!listed.includes(counter) && !(await trimToWholePackets(file))) {
          await rm(file, { force: true });
          continue;
        }
        this.recorder.queue(this.pipeline, run.output, counter, file);
      }
      if (final) {
        const last = Math.max(run.target.startNumber - 1, ...run.queued);
        this.recorder.advance(this.pipeline, run.output, last + 1);
      }
    }
  }

  /** Removes the run's folders once its files are uploaded (failed uploads keep their file). */
  async cleanUp(): Promise<void> {
    let kept = false;
    for (const run of this.#outputs) {
      const dir = path.join(this.baseDir, run.target.dir);
      const left = await filesIn(dir);
      if (left.length === 0) await rm(dir, { recursive: true, force: true });
      else kept = true;
    }
    // The manifest stays with any file left, for the next start to try again.
    if (!kept) await rm(path.join(this.baseDir, this.runDir), { recursive: true, force: true });
  }
}

function destinationFor(output: ArchiveOutput, pipeline: number): string | undefined {
  // MediaLive asks one URL per pipeline; a destination with a single URL serves every pipeline.
  return output.destinations[pipeline] ?? output.destinations[0];
}

export function fileName(counter: number): string {
  return `${String(counter).padStart(6, '0')}.ts`;
}

/** Counters of the files the segment muxer has closed (one CSV line each, written on close). */
export async function closedFiles(listFile: string): Promise<number[]> {
  if (!existsSync(listFile)) return [];
  const text = await readFile(listFile, 'utf8');
  return text
    .split('\n')
    .map((line) => /^(\d{6,})\.ts,/.exec(line.trim())?.[1])
    .filter((counter): counter is string => counter !== undefined)
    .map(Number);
}

/** Counters of the archive files in a folder. */
export async function filesIn(dir: string): Promise<number[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .map((name) => /^(\d{6,})\.ts$/.exec(name)?.[1])
    .filter((counter): counter is string => counter !== undefined)
    .map(Number);
}

export class ArchiveRecorder {
  /** `pipeline/output` → next counter. */
  readonly #next = new Map<string, number>();
  readonly #uploads: Promise<void>[] = [];

  /**
   * MediaLive writes archive files from the moment the channel runs (slate while the input is
   * lost), so file i always covers [i·L, (i+1)·L) of the session. Locally nothing is encoded
   * without a publisher, so a run that begins late starts at the counter of the current time:
   * clips keep their offsets from the session start.
   */
  readonly #startedAt: number;

  constructor(
    readonly channelId: string,
    readonly outputs: ArchiveOutput[],
    private readonly uploader: ArchiveUploader,
    private readonly rolloverSeconds = 0,
    now: () => number = Date.now,
  ) {
    this.#startedAt = now();
    this.#now = now;
  }

  readonly #now: () => number;

  #counterNow(): number {
    if (this.rolloverSeconds <= 0) return 0;
    return Math.floor((this.#now() - this.#startedAt) / 1000 / this.rolloverSeconds);
  }

  /** Targets for a run on `pipeline`, with folders under `relativeDir` (relative to `baseDir`). */
  startRun(pipeline: number, baseDir: string, relativeDir: string): ArchiveRun {
    return new ArchiveRun(
      this,
      pipeline,
      baseDir,
      relativeDir,
      this.outputs.map((output) => ({
        output,
        target: {
          dir: `${relativeDir}/${output.name}`,
          startNumber: Math.max(this.#next.get(`${pipeline}/${output.name}`) ?? 0, this.#counterNow()),
        },
        queued: new Set<number>(),
      })),
    );
  }

  advance(pipeline: number, output: ArchiveOutput, next: number): void {
    const key = `${pipeline}/${output.name}`;
    this.#next.set(key, Math.max(next, this.#next.get(key) ?? 0));
  }

  queue(pipeline: number, output: ArchiveOutput, counter: number, file: string): void {
    const url = destinationFor(output, pipeline);
    if (!url) return;
    this.#uploads.push(
      this.uploader.upload(file, archiveObjectKey(url, output.nameModifier, counter, output.extension)),
    );
  }

  /** Resolves once every file queued so far is uploaded. */
  async flushed(): Promise<void> {
    await Promise.all(this.#uploads);
  }
}
