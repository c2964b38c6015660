/**
 * Executions and their histories under `<dataDir>/executions/`, one JSON file per execution (owner
 * only: inputs and outputs hold stream records). One file per execution, not one for all: a polling
 * workflow appends hundreds of events, and rewriting every history on each would cost more than the
 * workflow. Writes are atomic (temporary file + rename) and bursts are coalesced.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionStatus } from './types.js';

/** One history event: GetExecutionHistory's `HistoryEvent`, its timestamp in epoch milliseconds. */
export interface StoredHistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  /** `stateEnteredEventDetails`, `lambdaFunctionFailedEventDetails`, ... */
  detailsKey?: string;
  details?: Record<string, unknown>;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  events: StoredHistoryEvent[];
}

/** Appends an event with the next id; previousEventId is the event before it (a linear history). */
export function appendEvent(
  record: ExecutionRecord,
  type: string,
  detailsKey?: string,
  details?: Record<string, unknown>,
): void {
  const previous = record.events.at(-1)?.id ?? 0;
  record.events.push({
    id: previous + 1,
    previousEventId: previous,
    timestamp: Date.now(),
    type,
    ...(detailsKey && details && { detailsKey, details }),
  });
}

/** Step Functions keeps closed executions (and their names) for 90 days. */
const RETENTION_MS = 90 * 24 * 3600 * 1000;
const WRITE_COALESCE_MS = 20;
const FORMAT_VERSION = 1;

export class ExecutionStore {
  private readonly dir: string;
  private readonly dirty = new Map<string, ExecutionRecord>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'executions');
  }

  /** The saved executions, minus those closed over 90 days ago and files that cannot be read. */
  async load(now = Date.now()): Promise<ExecutionRecord[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const records: ExecutionRecord[] = [];
    for (const entry of await readdir(this.dir)) {
      const file = path.join(this.dir, entry);
      const record = entry.endsWith('.json') ? parse(await readFile(file, 'utf8')) : undefined;
      if (!record || (record.stopDate !== undefined && now - record.stopDate > RETENTION_MS)) {
        if (!record && entry.endsWith('.json'))
          console.warn(`[local stepfunctions] ignoring unreadable ${file}`);
        else await rm(file, { force: true });
        continue;
      }
      records.push(record);
    }
    return records;
  }

  /** Schedules a write of the record's current state. */
  save(record: ExecutionRecord): void {
    this.dirty.set(record.executionArn, record);
    this.timer ??= setTimeout(() => this.drain(), WRITE_COALESCE_MS);
  }

  /** Writes everything scheduled and waits for in-flight writes. */
  async flush(): Promise<void> {
    if (this.timer) this.drain();
    await this.writing;
  }

  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // Serialised now, so each write holds this instant's state even if the record moves on.
    const batch = [...this.dirty.values()].map((execution) => ({
      file: path.join(
        this.dir,
        `${createHash('sha256').update(execution.executionArn).digest('hex').slice(0, 40)}.json`,
      ),
      text: JSON.stringify({ formatVersion: FORMAT_VERSION, execution }),
    }));
    this.dirty.clear();
    this.writing = this.writing.then(() =>
      Promise.all(batch.map(({ file, text }) => writeAtomically(file, text))),
    );
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  try {
    await writeFile(`${file}.tmp`, text, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  } catch (error) {
    // A lost write must not kill the runtime; the next change of the execution writes it again.
    console.error(`[local stepfunctions] could not persist ${file}:`, error);
  }
}

function parse(text: string): ExecutionRecord | undefined {
  try {
    const { formatVersion, execution } = JSON.parse(text) as {
      formatVersion?: number;
      execution?: ExecutionRecord;
    };
    const valid = formatVersion === FORMAT_VERSION && typeof execution?.executionArn === 'string';
    return valid && Array.isArray(execution.events) ? execution : undefined;
  } catch {
    return undefined;
  }
}
