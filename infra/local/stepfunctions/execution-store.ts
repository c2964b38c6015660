/**
 * Executions and their histories under `<dataDir>/executions/`, one JSON file per execution (owner
 * only: inputs and outputs hold stream records). One file per execution, not one for all: a polling
 * workflow appends hundreds of events, and rewriting every history on each would cost more than the
 * workflow. Writes are atomic (temporary file + rename) and bursts are coalesced.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

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

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

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
export function appendEvent(record: ExecutionRecord, type: string, details?: Record<string, unknown>): void {
  const previousEventId = record.events.at(-1)?.id ?? 0;
  // The details member of a HistoryEvent: `stateEnteredEventDetails` for every `<Type>StateEntered`.
  const state = /State(Entered|Exited)$/.exec(type)?.[0];
  const detailsKey = `${state ? `s${state.slice(1)}` : type.charAt(0).toLowerCase() + type.slice(1)}EventDetails`;
  record.events.push({
    id: previousEventId + 1,
    previousEventId,
    timestamp: Date.now(),
    type,
    ...(details && { detailsKey, details }),
  });
}

/** Step Functions keeps closed executions (and their names) for 90 days. */
const RETENTION_MS = 90 * 24 * 3600 * 1000;

export class ExecutionStore {
  private readonly dir: string;
  private readonly dirty = new Map<string, ExecutionRecord>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'executions');
  }

  /** The saved executions, minus those closed over 90 days ago (deleted) and files that cannot be read. */
  async load(now = Date.now()): Promise<ExecutionRecord[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const records: ExecutionRecord[] = [];
    for (const entry of await readdir(this.dir)) {
      const file = path.join(this.dir, entry);
      let record: ExecutionRecord | undefined;
      try {
        const stored = JSON.parse(await readFile(file, 'utf8')) as {
          formatVersion?: number;
          execution?: ExecutionRecord;
        };
        if (stored.formatVersion === 1 && Array.isArray(stored.execution?.events)) record = stored.execution;
      } catch {}
      if (!record) console.warn(`[local stepfunctions] ignoring ${file}: not an execution`);
      else if (record.stopDate !== undefined && now - record.stopDate > RETENTION_MS)
        await rm(file, { force: true });
      else records.push(record);
    }
    return records;
  }

  /** Schedules a write of the record's current state. */
  save(record: ExecutionRecord): void {
    this.dirty.set(record.executionArn, record);
    // Bursts (a retry loop, a poll) become one write per execution.
    this.timer ??= setTimeout(() => this.drain(), 20);
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
    const batch = [...this.dirty.values()].map((execution) => {
      const name = createHash('sha256').update(execution.executionArn).digest('hex').slice(0, 40);
      return {
        file: path.join(this.dir, `${name}.json`),
        text: JSON.stringify({ formatVersion: 1, execution }),
      };
    });
    this.dirty.clear();
    const write = ({ file, text }: { file: string; text: string }) =>
      writeFile(`${file}.tmp`, text, { mode: 0o600 })
        .then(() => rename(`${file}.tmp`, file))
        // A lost write must not stop the runtime: the next change of the execution writes it again.
        .catch((error: unknown) => console.error(`[local stepfunctions] could not persist ${file}:`, error));
    this.writing = this.writing.then(() => Promise.all(batch.map(write)));
  }
}
