import { ExecutionLimitExceeded, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiHarness,
  aKeyedStream,
  expectErrorShape,
  startApi,
  startExecutionOk,
} from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());
beforeEach(() => api.resetSfn());

let keyCounter = 0;
const freshKey = () => `key-${process.pid}-${++keyCounter}`;
const withKey = (key: string) => ({ 'idempotency-key': key });

describe('Idempotency-Key', () => {
  it('answers a retried create with the first answer and starts one execution', async () => {
    const key = freshKey();
    const first = await api.call('POST', '/streams', { json: { name: 'Keynote' }, headers: withKey(key) });
    const retry = await api.call('POST', '/streams', { json: { name: 'Keynote' }, headers: withKey(key) });
    expect(first.statusCode).toBe(202);
    expect(retry.statusCode).toBe(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('reads the header whatever its case', async () => {
    const key = freshKey();
    await api.call('POST', '/streams', { json: { name: 'a' }, headers: { 'Idempotency-Key': key } });
    const retry = await api.call('POST', '/streams', {
      json: { name: 'a' },
      headers: { 'IDEMPOTENCY-KEY': key },
    });
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('answers a retried start with the first answer, moving the record once', async () => {
    const stream = await api.seed(aKeyedStream());
    const key = freshKey();
    const first = await api.call('POST', `/streams/${stream.id}/start`, { json: {}, headers: withKey(key) });
    const retry = await api.call('POST', `/streams/${stream.id}/start`, { json: {}, headers: withKey(key) });
    expect(first.statusCode).toBe(202);
    expect(retry.statusCode).toBe(202);
    expect(retry.body).toEqual(first.body);
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect((await api.store.get(stream.id)).version).toBe(stream.version + 1);
  });

  it('answers 422 to the same key with another body, and starts nothing', async () => {
    const key = freshKey();
    await api.call('POST', '/streams', { json: { name: 'first' }, headers: withKey(key) });
    const other = await api.call('POST', '/streams', { json: { name: 'second' }, headers: withKey(key) });
    expect(other.statusCode).toBe(422);
    expectErrorShape(other);
    expect(other.body.error.code).toBe('IdempotencyKeyReused');
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('scopes a key to its route: the same key on another stream is a new request', async () => {
    const a = await api.seed(aKeyedStream());
    const b = await api.seed(aKeyedStream());
    const key = freshKey();
    const first = await api.call('POST', `/streams/${a.id}/start`, { json: {}, headers: withKey(key) });
    const second = await api.call('POST', `/streams/${b.id}/start`, { json: {}, headers: withKey(key) });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.body.id).toBe(b.id);
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  });

  it('keeps a final 4xx answer: the retry gets the same 409 even after the status changed', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'RUNNING' }));
    const key = freshKey();
    const first = await api.call('POST', `/streams/${stream.id}/start`, { json: {}, headers: withKey(key) });
    expect(first.statusCode).toBe(409);
    await api.store.update(await api.store.get(stream.id), { status: 'IDLE' });
    const retry = await api.call('POST', `/streams/${stream.id}/start`, { json: {}, headers: withKey(key) });
    expect(retry.statusCode).toBe(409);
    expect(retry.body).toEqual(first.body);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('releases the key after a 503, so the retry really runs', async () => {
    const stream = await api.seed(aKeyedStream());
    const key = freshKey();
    api.sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionLimitExceeded({ message: 'limit', $metadata: {} }))
      .callsFake(startExecutionOk);
    const first = await api.call('POST', `/streams/${stream.id}/start`, { json: {}, headers: withKey(key) });
    expect(first.statusCode).toBe(503);
    const retry = await api.call('POST', `/streams/${stream.id}/start`, { json: {}, headers: withKey(key) });
    expect(retry.statusCode).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  });

  it('answers 409 IdempotencyKeyInUse while the first request with the key is still running', async () => {
    const key = freshKey();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    api.sfn.on(StartExecutionCommand).callsFake(async (input) => {
      await held;
      return startExecutionOk(input);
    });
    const first = api.call('POST', '/streams', { json: { name: 'slow' }, headers: withKey(key) });
    // Wait until the first request is inside StartExecution, so its key is claimed.
    await expect.poll(() => api.sfn.commandCalls(StartExecutionCommand).length).toBe(1);
    const concurrent = await api.call('POST', '/streams', { json: { name: 'slow' }, headers: withKey(key) });
    release();
    expect(concurrent.statusCode).toBe(409);
    expectErrorShape(concurrent);
    expect(concurrent.body.error.code).toBe('IdempotencyKeyInUse');
    expect((await first).statusCode).toBe(202);
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it.each([
    ['too long', 'k'.repeat(129)],
    ['with a space', 'my key'],
    ['with a slash', 'a/b'],
    ['empty', ''],
  ])('answers 400 naming Idempotency-Key when the key is %s', async (_, key) => {
    const answer = await api.call('POST', '/streams', { json: { name: 'a' }, headers: withKey(key) });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual(['Idempotency-Key']);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('ignores the header on GET and DELETE', async () => {
    const stream = await api.seed(aKeyedStream());
    const key = freshKey();
    expect((await api.call('GET', `/streams/${stream.id}`, { headers: withKey(key) })).statusCode).toBe(200);
    const deleted = await api.call('DELETE', `/streams/${stream.id}`, { headers: withKey(key) });
    expect(deleted.statusCode).toBe(202);
    const again = await api.call('DELETE', `/streams/${stream.id}`, { headers: withKey(key) });
    expect(again.statusCode).toBe(409);
  });
});
