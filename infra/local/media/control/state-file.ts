/** Persistence of the control state: one JSON file, replaced atomically on every change. */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ControlState, emptyControlState } from './control-state.js';

export const STATE_FILE_NAME = 'media-control.json';

export class StateFile {
  readonly file: string;
  private dirty = false;
  private writing: Promise<void> | undefined;
  private sequence = 0;
  private closed = false;

  constructor(
    dataDir: string,
    private readonly onWriteError: (error: unknown) => void,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, STATE_FILE_NAME);
  }

  /** The saved state, or an empty one on first start. A corrupt file is an error, never silently reset. */
  load(): ControlState {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyControlState();
      throw error;
    }
    const state = JSON.parse(text) as ControlState;
    if (state.version !== 1)
      throw new Error(`${this.file}: unsupported state version ${String(state.version)}`);
    return state;
  }

  /**
   * Schedules a write of `state`. Writes are serialized and coalesced: the file always ends up with
   * the latest state, and a reader never sees a half-written file (temp file + rename).
   */
  save(state: ControlState): void {
    if (this.closed) return;
    this.dirty = true;
    this.writing ??= this.drain(state);
  }

  /** Resolves once every scheduled write is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Flushes, then ignores further saves (timers of a closed control plane may still fire). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async drain(state: ControlState): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const text = JSON.stringify(state);
        const temp = `${this.file}.${process.pid}.${++this.sequence}.tmp`;
        try {
          await writeFile(temp, text);
          await rename(temp, this.file);
        } catch (error) {
          this.onWriteError(error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
