import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionRecord } from './execution-record.js';

/** Step Functions keeps closed executions (and their names) for 90 days. */
const RETENTION_MS = 90 * 24 * 3600 * 1000;
/** Bursts of history events (a Map, a retry loop) become one write per execution. */
const WRITE_COALESCE_MS = 20;
const FORMAT_VERSION = 1;

interface StoredFile {
  formatVersion: number;
  execution: ExecutionRecord;
}

/**
 * Executions and their histories under `<dataDir>/executions/`, one JSON file per execution.
 * One file per execution, not one file for all: a polling workflow appends hundreds of events, and
 * rewriting every execution's history on each of them would cost far more than the workflow.
 * Writes are atomic (temporary file + rename), so a crash leaves the previous version, never half a file.
 */
export class ExecutionStore {
  private readonly dir: string;
  private readonly dirty = new Map<string, ExecutionRecord>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'executions');
  }

  async load(now = Date.now()): Promise<ExecutionRecord[]> {
    await mkdir(this.dir, { recursive: true });
    const records: ExecutionRecord[] = [];
    for (const entry of await readdir(this.dir)) {
      const file = path.join(this.dir, entry);
      if (entry.endsWith('.tmp')) {
        await rm(file, { force: true });
        continue;
      }
      if (!entry.endsWith('.json')) continue;
      const record = parseStoredFile(await readFile(file, 'utf8'));
      if (!record) {
        console.warn(`[local stepfunctions] ignoring unreadable execution file ${file}`);
        continue;
      }
      if (record.stopDate !== undefined && now - record.stopDate > RETENTION_MS) {
        await rm(file, { force: true });
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
    const batch = [...this.dirty.values()].map((record) => ({
      file: this.fileFor(record.executionArn),
      // Serialised now, so the write holds this instant's state even if the record moves on.
      text: JSON.stringify({ formatVersion: FORMAT_VERSION, execution: record } satisfies StoredFile),
    }));
    this.dirty.clear();
    this.writing = this.writing.then(() =>
      Promise.all(batch.map(({ file, text }) => writeAtomically(file, text))).then(() => undefined),
    );
  }

  private fileFor(executionArn: string): string {
    const digest = createHash('sha256').update(executionArn).digest('hex').slice(0, 40);
    return path.join(this.dir, `${digest}.json`);
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  try {
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  } catch (error) {
    // A lost write must not kill the runtime; the next change of the execution writes it again.
    console.error(`[local stepfunctions] could not persist ${file}:`, error);
  }
}

function parseStoredFile(text: string): ExecutionRecord | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<StoredFile>;
    const record = parsed.execution;
    if (
      parsed.formatVersion !== FORMAT_VERSION ||
      !record ||
      typeof record.executionArn !== 'string' ||
      typeof record.status !== 'string' ||
      !Array.isArray(record.events)
    ) {
      return undefined;
    }
    return record;
  } catch {
    return undefined;
  }
}
