import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ExecutionRecord,
  ExecutionStore,
} from '../../../../infra/local/stepfunctions/execution-store.js';
import { newDataDir, removeDataDirs } from './local-sfn-fixture.js';

afterEach(removeDataDirs);

const DAY_MS = 24 * 3600 * 1000;

function aRecord(name: string, overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    executionArn: `arn:aws:states:us-east-1:1:execution:M:${name}`,
    stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:M',
    name,
    status: 'SUCCEEDED',
    startDate: Date.now(),
    stopDate: Date.now(),
    input: '{}',
    events: [{ id: 1, previousEventId: 0, timestamp: Date.now(), type: 'ExecutionStarted' }],
    ...overrides,
  };
}

describe('execution store', () => {
  it('writes one file per execution and reads them back', async () => {
    const dataDir = await newDataDir();
    const store = new ExecutionStore(dataDir);
    await store.load();
    store.save(aRecord('a'));
    store.save(aRecord('b'));
    await store.flush();

    const files = await readdir(path.join(dataDir, 'executions'));
    expect(files).toHaveLength(2);
    // Inputs and histories hold stream records: owner only.
    expect((await stat(path.join(dataDir, 'executions', files[0] as string))).mode & 0o777).toBe(0o600);
    const loaded = await new ExecutionStore(dataDir).load();
    expect(loaded.map((r) => r.name).sort()).toEqual(['a', 'b']);
  });

  it('writes the latest state of a record saved several times in a burst', async () => {
    const dataDir = await newDataDir();
    const store = new ExecutionStore(dataDir);
    await store.load();
    const record = aRecord('burst', { status: 'RUNNING' });
    store.save(record);
    record.status = 'FAILED';
    store.save(record);
    await store.flush();
    const [loaded] = await new ExecutionStore(dataDir).load();
    expect(loaded?.status).toBe('FAILED');
  });

  it('forgets executions closed more than 90 days ago, as Step Functions does', async () => {
    const dataDir = await newDataDir();
    const store = new ExecutionStore(dataDir);
    await store.load();
    const now = Date.now();
    store.save(aRecord('ancient', { stopDate: now - 91 * DAY_MS }));
    store.save(aRecord('recent', { stopDate: now - 89 * DAY_MS }));
    await store.flush();
    const loaded = await new ExecutionStore(dataDir).load(now);
    expect(loaded.map((r) => r.name)).toEqual(['recent']);
    expect(await readdir(path.join(dataDir, 'executions'))).toHaveLength(1);
  });

  it('skips a file it cannot read instead of refusing to start', async () => {
    const dataDir = await newDataDir();
    const store = new ExecutionStore(dataDir);
    await store.load();
    store.save(aRecord('good'));
    await store.flush();
    await writeFile(path.join(dataDir, 'executions', 'garbage.json'), '{not json');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const loaded = await new ExecutionStore(dataDir).load();
      expect(loaded.map((r) => r.name)).toEqual(['good']);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('garbage.json'));
    } finally {
      warn.mockRestore();
    }
  });
});
