/**
 * Persistence of schedules and groups: `<dataDir>/schedules.json`, replaced atomically (temporary
 * file + rename) on every change, bursts coalesced into one write. A few hundred schedules at most
 * locally, so one file is simpler than one per schedule and costs nothing.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GroupRecord, ScheduleRecord } from './schedule-record.js';

export const SCHEDULES_FILE_NAME = 'schedules.json';
const FORMAT_VERSION = 1;
const WRITE_COALESCE_MS = 10;

export interface SchedulerState {
  groups: GroupRecord[];
  schedules: ScheduleRecord[];
}

interface StoredFile extends SchedulerState {
  formatVersion: number;
}

export class ScheduleStore {
  readonly file: string;
  private snapshot: (() => SchedulerState) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly log: (line: string) => void,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, SCHEDULES_FILE_NAME);
  }

  /** The saved state, or none on first start. A corrupt file is an error, never silently reset. */
  load(): SchedulerState | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<StoredFile>;
    if (
      parsed.formatVersion !== FORMAT_VERSION ||
      !Array.isArray(parsed.groups) ||
      !Array.isArray(parsed.schedules)
    ) {
      throw new Error(
        `${this.file} is not a schedules file this version can read; move it away to start empty`,
      );
    }
    return { groups: parsed.groups, schedules: parsed.schedules };
  }

  /** Schedules a write of the state `snapshot` returns when the write happens. */
  save(snapshot: () => SchedulerState): void {
    this.snapshot = snapshot;
    this.timer ??= setTimeout(() => this.drain(), WRITE_COALESCE_MS);
  }

  /** Writes anything scheduled and waits until it is on disk. */
  async flush(): Promise<void> {
    if (this.timer) this.drain();
    await this.writing;
  }

  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const snapshot = this.snapshot;
    this.snapshot = undefined;
    if (!snapshot) return;
    const text = JSON.stringify({ formatVersion: FORMAT_VERSION, ...snapshot() } satisfies StoredFile);
    this.writing = this.writing.then(() => this.write(text));
  }

  private async write(text: string): Promise<void> {
    const temporary = `${this.file}.tmp`;
    try {
      await writeFile(temporary, text);
      await rename(temporary, this.file);
    } catch (error) {
      // The next change writes everything again; the scheduler keeps running from memory.
      this.log(`[scheduler] could not persist ${this.file}: ${String(error)}`);
      await rm(temporary, { force: true }).catch(() => undefined);
    }
  }
}
