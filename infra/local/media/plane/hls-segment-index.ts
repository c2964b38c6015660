/**
 * The HLS segments of one MediaPackage channel, across encoder runs: what the origin serves.
 *
 * FFmpeg writes segments and short rolling playlists; this index remembers every closed segment
 * with its wall-clock start for the startover window, numbers them with a media sequence that
 * keeps growing across runs (a publisher reconnecting starts a new FFmpeg run: a discontinuity,
 * not a new stream), deletes files older than the window and survives a restart of the local
 * service through a small JSON file next to the segments.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HlsRendition } from './encoder-plan.js';

/** What the master playlist says of a rendition (its encodes' indexes are the plan's business). */
export type RenditionInfo = Omit<HlsRendition, 'video' | 'audio'>;

export interface IndexedSegment {
  /** Media sequence number, per rendition, growing across runs. */
  seq: number;
  /** Path relative to the channel's HLS folder. */
  file: string;
  duration: number;
  /** Wall-clock start, epoch ms. */
  start: number;
  run: string;
  /** First segment of a run that follows another run: an EXT-X-DISCONTINUITY precedes it. */
  discontinuity: boolean;
  /** Discontinuity sequence number of this segment (RFC 8216 §4.3.3.3). */
  discontinuitySequence: number;
}

interface SavedIndex {
  renditions: RenditionInfo[];
  targetSeconds: number;
  segments: Record<string, IndexedSegment[]>;
}

const INDEX_FILE = 'segments.json';
/** Writes of the JSON file are coalesced: segments arrive every few seconds per rendition. */
const SAVE_DELAY_MS = 2_000;

export class HlsSegmentIndex {
  renditions: RenditionInfo[] = [];
  targetSeconds = 6;
  readonly #segments = new Map<string, IndexedSegment[]>();
  readonly #files = new Set<string>();
  #saveTimer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(
    /** Absolute folder of the channel's HLS files. */
    readonly dir: string,
  ) {
    this.#load();
  }

  setLadder(renditions: RenditionInfo[], segmentSeconds: number): void {
    this.renditions = renditions;
    this.targetSeconds = Math.max(1, Math.ceil(segmentSeconds));
    this.#scheduleSave();
  }

  segments(rendition: string): readonly IndexedSegment[] {
    return this.#segments.get(rendition) ?? [];
  }

  /** Whether a segment file (path relative to the folder) is indexed. */
  has(file: string): boolean {
    return this.#files.has(file);
  }

  add(rendition: string, segment: { file: string; duration: number; start: number; run: string }): void {
    const list = this.#segments.get(rendition) ?? [];
    const last = list.at(-1);
    const discontinuity = last !== undefined && last.run !== segment.run;
    list.push({
      ...segment,
      seq: last ? last.seq + 1 : 0,
      discontinuity,
      discontinuitySequence: (last?.discontinuitySequence ?? 0) + (discontinuity ? 1 : 0),
    });
    this.#segments.set(rendition, list);
    this.#files.add(segment.file);
    this.#scheduleSave();
  }

  /** Forgets and deletes the segments that ended before `oldestMs`, keeping the newest one. */
  async prune(oldestMs: number): Promise<void> {
    const doomed: string[] = [];
    for (const [rendition, list] of this.#segments) {
      const keepFrom = list.findIndex(
        (s, i) => i === list.length - 1 || s.start + s.duration * 1000 >= oldestMs,
      );
      if (keepFrom <= 0) continue;
      for (const segment of list.slice(0, keepFrom)) {
        doomed.push(segment.file);
        this.#files.delete(segment.file);
      }
      this.#segments.set(rendition, list.slice(keepFrom));
    }
    if (doomed.length === 0) return;
    this.#scheduleSave();
    await Promise.all(doomed.map((file) => rm(path.join(this.dir, file), { force: true })));
  }

  /** Writes pending changes now (on stop and close). */
  async flush(): Promise<void> {
    if (this.#saveTimer) this.#saveNow();
    await this.#saving;
  }

  #scheduleSave(): void {
    this.#saveTimer ??= setTimeout(() => this.#saveNow(), SAVE_DELAY_MS).unref();
  }

  #saveNow(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    this.#saving = this.#saving.then(() => this.#save());
  }

  async #save(): Promise<void> {
    const saved: SavedIndex = {
      renditions: this.renditions,
      targetSeconds: this.targetSeconds,
      segments: Object.fromEntries(this.#segments),
    };
    const file = path.join(this.dir, INDEX_FILE);
    try {
      await writeFile(`${file}.tmp`, JSON.stringify(saved));
      await rename(`${file}.tmp`, file);
    } catch {
      // The folder may be gone (channel deleted, temp dir removed): the index is a cache.
    }
  }

  #load(): void {
    const file = path.join(this.dir, INDEX_FILE);
    if (!existsSync(file)) return;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedIndex;
      this.renditions = saved.renditions;
      this.targetSeconds = saved.targetSeconds;
      for (const [rendition, list] of Object.entries(saved.segments)) {
        // Files go from the front (pruning); the list stays contiguous so sequence numbers do.
        const firstKept = list.findIndex((segment) => existsSync(path.join(this.dir, segment.file)));
        const kept = firstKept < 0 ? [] : list.slice(firstKept);
        this.#segments.set(rendition, kept);
        for (const segment of kept) this.#files.add(segment.file);
      }
    } catch {
      // A torn or foreign file: start a fresh index rather than refuse to serve.
    }
  }
}
