/**
 * Archive files a previous run of the service left on disk: when the process dies (SIGKILL, a
 * crash, a power cut) the files FFmpeg wrote are there but were never uploaded, and a clip of that
 * time would find nothing in S3. On start-up, every run folder with a manifest (`run.json`, written
 * when the run began) has its files uploaded under the keys MediaLive gives them, then removed.
 *
 * What "complete" means here:
 * - a file listed in the run's `files.csv` was closed by FFmpeg's segment muxer: a whole archive
 *   file, uploaded as it is;
 * - the one file not listed is the one FFmpeg was writing when it stopped (killed with the service,
 *   or still finishing it). It is cut at its last whole 188-byte MPEG-TS packet, which plays, and
 *   uploaded too: shorter than the RolloverInterval, like the last file of a stopped channel (that
 *   is also the file MediaLive writes last), and the only copy of those seconds. A file with no
 *   whole packet (FFmpeg had just opened it) holds nothing and is deleted.
 * Run folders without a manifest are left alone (and logged).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  closedFiles,
  fileName,
  filesIn,
  RUN_MANIFEST,
  type RunManifest,
  trimToWholePackets,
} from './archive-recorder.js';
import { type ArchiveUploader, archiveObjectKey } from './archive-upload.js';

const ARCHIVE_DIR = 'archive';
const LIST_FILE = 'files.csv';

function parseManifest(text: string, mediaDir: string): RunManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const manifest = value as Partial<RunManifest> | null;
  if (!manifest || typeof manifest.channelId !== 'string' || typeof manifest.pipeline !== 'number') {
    return undefined;
  }
  if (!Array.isArray(manifest.outputs)) return undefined;
  const root = `${path.resolve(mediaDir)}${path.sep}`;
  for (const output of manifest.outputs) {
    const fields = [output?.dir, output?.destination, output?.nameModifier, output?.extension];
    if (fields.some((field) => typeof field !== 'string')) return undefined;
    // The manifest is this service's own file; still, it never points outside the media folder.
    if (!path.resolve(mediaDir, output.dir).startsWith(root)) return undefined;
  }
  return manifest as RunManifest;
}

async function subfolders(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/**
 * Finds what previous runs left under `<mediaDir>/archive/` and queues it for upload. Resolves,
 * once the folders are read, with a promise of the uploads (and of the clean-up after them): call
 * it before any channel starts, so that no folder of a live run is taken.
 */
export async function recoverArchives(
  mediaDir: string,
  uploader: ArchiveUploader,
  logger: (line: string) => void,
): Promise<{ files: number; done: Promise<void> }> {
  const archiveDir = path.join(mediaDir, ARCHIVE_DIR);
  const runs: Array<Promise<void>> = [];
  let files = 0;
  for (const channel of await subfolders(archiveDir)) {
    for (const run of await subfolders(path.join(archiveDir, channel))) {
      const runDir = path.join(archiveDir, channel, run);
      const manifestFile = path.join(runDir, RUN_MANIFEST);
      const manifest = existsSync(manifestFile)
        ? parseManifest(await readFile(manifestFile, 'utf8'), mediaDir)
        : undefined;
      if (!manifest) {
        logger(
          `archive: kept ${path.join(ARCHIVE_DIR, channel, run)}: no readable ${RUN_MANIFEST} to upload it by`,
        );
        continue;
      }
      const uploads: Array<Promise<void>> = [];
      let cut = 0;
      for (const output of manifest.outputs) {
        const dir = path.resolve(mediaDir, output.dir);
        const listed = new Set(await closedFiles(path.join(dir, LIST_FILE)));
        for (const counter of (await filesIn(dir)).sort((a, b) => a - b)) {
          const file = path.join(dir, fileName(counter));
          if (!listed.has(counter)) {
            if (!(await trimToWholePackets(file))) {
              await rm(file, { force: true });
              continue;
            }
            cut += 1;
          }
          const target = archiveObjectKey(output.destination, output.nameModifier, counter, output.extension);
          uploads.push(uploader.upload(file, target));
        }
      }
      files += uploads.length;
      if (uploads.length > 0) {
        logger(
          `archive: uploading ${uploads.length} file(s) left by run ${run} of channel ${manifest.channelId}` +
            (cut > 0 ? ` (${cut} cut at its last whole packet)` : ''),
        );
      }
      runs.push(
        Promise.all(uploads).then(async () => {
          // A file whose upload failed stays, with the manifest, for the next start.
          const left = await Promise.all(
            manifest.outputs.map((output) => filesIn(path.resolve(mediaDir, output.dir))),
          );
          if (left.every((counters) => counters.length === 0))
            await rm(runDir, { recursive: true, force: true });
        }),
      );
    }
  }
  return { files, done: Promise.all(runs).then(() => undefined) };
}
