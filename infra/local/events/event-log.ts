/**
 * The bus's memory: the last events in order, held for `stream(sinceId)`, and every event
 * appended to `<dataDir>/events.jsonl` (one envelope per line), the file users can grep or `jq`.
 * At start the tail of that file refills the memory, so a server-sent-events client resumes from
 * its Last-Event-ID across a restart of the local stack.
 */
import { mkdirSync } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import path from 'node:path';
import type { EventBridgeEvent } from './types.js';

export const EVENTS_FILE_NAME = 'events.jsonl';
export const HELD_EVENTS = 1000;
const TAIL_CHUNK_BYTES = 64 * 1024;

export class EventLog {
  readonly file: string;
  private held: EventBridgeEvent[] = [];
  private pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly log: (line: string) => void,
    private readonly capacity = HELD_EVENTS,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, EVENTS_FILE_NAME);
  }

  /** Refills the memory from the end of the file (a torn last line, after a crash, is skipped). */
  async load(): Promise<void> {
    const lines = await readTailLines(this.file, this.capacity);
    const events: EventBridgeEvent[] = [];
    for (const line of lines) {
      try {
        const event = JSON.parse(line) as EventBridgeEvent;
        if (typeof event.id === 'string' && typeof event['detail-type'] === 'string') events.push(event);
      } catch {
        this.log(`[events] skipping an unreadable line of ${this.file}`);
      }
    }
    this.held = [...events, ...this.held].slice(-this.capacity);
  }

  append(event: EventBridgeEvent): void {
    this.held.push(event);
    if (this.held.length > this.capacity) this.held.shift();
    this.pending.push(`${JSON.stringify(event)}\n`);
    // One append per burst: events published in the same tick share a write.
    if (this.pending.length === 1) this.writing = this.writing.then(() => this.writePending());
  }

  /** Held events after `sinceId`; all held ones when that id is no longer (or never was) held. */
  after(sinceId: string): EventBridgeEvent[] {
    const index = this.held.findIndex((event) => event.id === sinceId);
    return this.held.slice(index + 1);
  }

  async flush(): Promise<void> {
    await this.writing;
  }

  private async writePending(): Promise<void> {
    const text = this.pending.join('');
    this.pending = [];
    try {
      await appendFile(this.file, text);
    } catch (error) {
      // Losing a log line must not stop the bus: delivery and streams work from memory.
      this.log(`[events] could not append to ${this.file}: ${String(error)}`);
    }
  }
}

/** The last `count` complete lines of a file, reading backwards so a long log costs nothing. */
async function readTailLines(file: string, count: number): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let position = size;
    // Bytes, decoded once at the end: a chunk boundary may split a UTF-8 character.
    let tail = Buffer.alloc(0);
    while (position > 0 && countNewlines(tail) <= count) {
      const length = Math.min(TAIL_CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      tail = Buffer.concat([chunk, tail]);
    }
    const lines = tail.toString('utf8').split('\n');
    if (position > 0) lines.shift();
    return lines.filter((line) => line.trim() !== '').slice(-count);
  } finally {
    await handle.close();
  }
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) count++;
  return count;
}
