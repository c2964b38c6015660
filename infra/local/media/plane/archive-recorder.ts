/**
 * The archive of one running channel: which counter each encoder run starts at, which closed files
 * are ready to upload, and (archive recovery) what a killed service left on disk.
 *
 * MediaLive's counter starts at 000000 when the channel starts and never goes back while it runs,
 * so when a publisher drops and comes back (a new FFmpeg run) the numbering continues instead of
 * overwriting the session's first files. Each pipeline (rtmp1 → `_1`, rtmp2 → `_2`) counts alone.
 *
 * Each run's folder holds a manifest (`run.json`): when the process dies (SIGKILL, a crash, a power
 * cut) the files FFmpeg wrote were never uploaded, and a clip of that time would find nothing in
 * S3, so the next start uploads them under the keys MediaLive gives them (`recoverArchives`).
 * A file listed in the output's `files.csv` was closed by FFmpeg's segment muxer and is uploaded
 * as it is. The one file not listed is the one FFmpeg was writing when it stopped: it is cut at its
 * last whole 188-byte MPEG-TS packet, which plays, and uploaded too (shorter than the
 * RolloverInterval, like the last file of a stopped channel, and the only copy of those seconds);
 * one with no whole packet holds nothing and is deleted.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ArchiveUploader, archiveObjectKey } from './archive-upload.js';
import { ARCHIVE_LIST_FILE, type ArchiveTarget } from './encoder-command.js';
import type { ArchiveOutput } from './encoder-plan.js';

const RUN_MANIFEST = 'run.json';

interface RunManifest {
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
 * Cuts a file at its last whole 188-byte packet. False (the file is left alone) if it holds no
 * whole packet or does not start like MPEG-TS.
 */
async function trimToWholePackets(file: string): Promise<boolean> {
  const { size } = await stat(file);
  const whole = size - (size % TS_PACKET_BYTES);
  if (whole === 0 || (await readFile(file))[0] !== TS_SYNC_BYTE) return false;
  if (whole !== size) await truncate(file, whole);
  return true;
}

function fileName(counter: number): string {
  return `${String(counter).padStart(6, '0')}.ts`;
}

/** Counters of the archive files in `dir`, or of those listed in `listFile` (a line as each closes). */
async function counters(dir: string, listFile?: string): Promise<number[]> {
  const [names, pattern] = listFile
    ? [existsSync(listFile) ? (await readFile(listFile, 'utf8')).split('\n') : [], /^(\d{6,})\.ts,/]
    : [existsSync(dir) ? await readdir(dir) : [], /^(\d{6,})\.ts$/];
  return names.flatMap((name) => {
    const counter = pattern.exec(name.trim())?.[1];
    return counter === undefined ? [] : [Number(counter)];
  });
}

/**
 * Hands `upload` the files of an archive output folder not in `taken`: those FFmpeg closed, or with
 * `all` (FFmpeg has exited) every file, the unlisted one cut at its last whole packet. Returns how
 * many were cut.
 */
async function takeFiles(
  dir: string,
  all: boolean,
  taken: Set<number>,
  upload: (file: string, counter: number) => void,
): Promise<number> {
  const listed = await counters(dir, path.join(dir, ARCHIVE_LIST_FILE));
  let cut = 0;
  for (const counter of (all ? await counters(dir) : listed).sort((a, b) => a - b)) {
    if (taken.has(counter)) continue;
    taken.add(counter);
    const file = path.join(dir, fileName(counter));
    if (!listed.includes(counter)) {
      if (!(await trimToWholePackets(file))) {
        await rm(file, { force: true });
        continue;
      }
      cut += 1;
    }
    upload(file, counter);
  }
  return cut;
}

/** Removes a run's folder once its files are uploaded; one with a file left keeps its manifest. */
async function removeIfUploaded(runDir: string, outputDirs: string[]): Promise<void> {
  const left = await Promise.all(outputDirs.map((dir) => counters(dir)));
  if (left.every((files) => files.length === 0)) await rm(runDir, { recursive: true, force: true });
}

interface RunOutput {
  output: ArchiveOutput;
  target: ArchiveTarget;
  queued: Set<number>;
}

/** One encoder run's archive outputs for one pipeline. */
export class ArchiveRun {
  constructor(
    readonly recorder: ArchiveRecorder,
    readonly pipeline: number,
    /** Absolute folder against which the targets' relative folders resolve. */
    readonly baseDir: string,
    /** The run's folder, relative to `baseDir`: the manifest's, with one folder per output inside. */
    readonly runDir: string,
    private readonly outputs: RunOutput[],
  ) {}

  get targets(): ArchiveTarget[] {
    return this.outputs.map((o) => o.target);
  }

  /** Creates the run's folders and its manifest. */
  async prepare(): Promise<void> {
    for (const run of this.outputs) await mkdir(path.join(this.baseDir, run.target.dir), { recursive: true });
    const manifest: RunManifest = {
      channelId: this.recorder.channelId,
      pipeline: this.pipeline,
      outputs: this.outputs.flatMap(({ output, target }) => {
        const destination = destinationFor(output, this.pipeline);
        const { nameModifier, extension } = output;
        return destination ? [{ dir: target.dir, destination, nameModifier, extension }] : [];
      }),
    };
    await writeFile(path.join(this.baseDir, this.runDir, RUN_MANIFEST), JSON.stringify(manifest));
  }

  /**
   * Queues the files FFmpeg has closed. `final` (FFmpeg has exited) also takes files that never
   * reached the list (a crash): they are complete as far as anyone will ever write them.
   */
  async collect(final: boolean): Promise<void> {
    for (const run of this.outputs) {
      const dir = path.join(this.baseDir, run.target.dir);
      await takeFiles(dir, final, run.queued, (file, counter) =>
        this.recorder.queue(this.pipeline, run.output, counter, file),
      );
      if (final) {
        const last = Math.max(run.target.startNumber - 1, ...run.queued);
        this.recorder.advance(this.pipeline, run.output, last + 1);
      }
    }
  }

  /** Removes the run's folders once its files are uploaded (failed uploads keep their file). */
  async cleanUp(): Promise<void> {
    const dirs = this.outputs.map((run) => path.join(this.baseDir, run.target.dir));
    await removeIfUploaded(path.join(this.baseDir, this.runDir), dirs);
  }
}

function destinationFor(output: ArchiveOutput, pipeline: number): string | undefined {
  // MediaLive asks one URL per pipeline; a destination with a single URL serves every pipeline.
  return output.destinations[pipeline] ?? output.destinations[0];
}

export class ArchiveRecorder {
  /** `pipeline/output` → next counter. */
  readonly #next = new Map<string, number>();
  readonly #uploads: Promise<void>[] = [];
  /**
   * File i always covers [i·L, (i+1)·L) of the session: a run that begins late starts at the
   * counter of the current time, so clips keep their offsets from the session start.
   */
  readonly #startedAt: number;

  constructor(
    readonly channelId: string,
    readonly outputs: ArchiveOutput[],
    private readonly uploader: ArchiveUploader,
    private readonly rolloverSeconds = 0,
    private readonly now: () => number = Date.now,
  ) {
    this.#startedAt = now();
  }

  /** Targets for a run on `pipeline`, with folders under `relativeDir` (relative to `baseDir`). */
  startRun(pipeline: number, baseDir: string, relativeDir: string): ArchiveRun {
    const counterNow =
      this.rolloverSeconds > 0 ? Math.floor((this.now() - this.#startedAt) / 1000 / this.rolloverSeconds) : 0;
    return new ArchiveRun(
      this,
      pipeline,
      baseDir,
      relativeDir,
      this.outputs.map((output) => ({
        output,
        target: {
          dir: `${relativeDir}/${output.name}`,
          startNumber: Math.max(this.#next.get(`${pipeline}/${output.name}`) ?? 0, counterNow),
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

/** The manifest, if it is one; it never points outside the media folder. */
function parseManifest(text: string, mediaDir: string): RunManifest | undefined {
  try {
    const manifest = JSON.parse(text) as RunManifest;
    const root = `${path.resolve(mediaDir)}${path.sep}`;
    const valid =
      typeof manifest.channelId === 'string' &&
      typeof manifest.pipeline === 'number' &&
      Array.isArray(manifest.outputs) &&
      manifest.outputs.every(
        (output) =>
          [output?.dir, output?.destination, output?.nameModifier, output?.extension].every(
            (field) => typeof field === 'string',
          ) && path.resolve(mediaDir, output.dir).startsWith(root),
      );
    return valid ? manifest : undefined;
  } catch {
    return undefined;
  }
}

async function subfolders(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/**
 * Finds what previous runs left under `<mediaDir>/archive/` and queues it for upload. Resolves,
 * once the folders are read, with a promise of the uploads (and of the clean-up after them): call
 * it before any channel starts, so that no folder of a live run is taken. Run folders without a
 * manifest are left alone (and logged).
 */
export async function recoverArchives(
  mediaDir: string,
  uploader: ArchiveUploader,
  logger: (line: string) => void,
): Promise<{ done: Promise<void> }> {
  const runs: Array<Promise<void>> = [];
  for (const channel of await subfolders(path.join(mediaDir, 'archive'))) {
    for (const run of await subfolders(path.join(mediaDir, 'archive', channel))) {
      const runDir = path.join(mediaDir, 'archive', channel, run);
      const manifestFile = path.join(runDir, RUN_MANIFEST);
      const manifest = existsSync(manifestFile)
        ? parseManifest(await readFile(manifestFile, 'utf8'), mediaDir)
        : undefined;
      if (!manifest) {
        logger(
          `archive: kept ${path.join('archive', channel, run)}: no readable ${RUN_MANIFEST} to upload it by`,
        );
        continue;
      }
      const uploads: Array<Promise<void>> = [];
      let cut = 0;
      for (const output of manifest.outputs) {
        cut += await takeFiles(path.resolve(mediaDir, output.dir), true, new Set(), (file, counter) => {
          const target = archiveObjectKey(output.destination, output.nameModifier, counter, output.extension);
          uploads.push(uploader.upload(file, target));
        });
      }
      if (uploads.length > 0) {
        logger(
          `archive: uploading ${uploads.length} file(s) left by run ${run} of channel ${manifest.channelId}` +
            (cut > 0 ? ` (${cut} cut at its last whole packet)` : ''),
        );
      }
      const dirs = manifest.outputs.map((output) => path.resolve(mediaDir, output.dir));
      // A file whose upload failed stays, with the manifest, for the next start.
      runs.push(Promise.all(uploads).then(() => removeIfUploaded(runDir, dirs)));
    }
  }
  return { done: Promise.all(runs).then(() => undefined) };
}
