import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StreamStatus } from '../../core/stream.js';
import { type ApiHarness, aKeyedStream, expectErrorShape, startApi } from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());
beforeEach(() => api.resetSfn());

const UNKNOWN_ID = '00000000000000BB';

/** The seed README's POST /streams/{id} body: the seed's fields of the record, sent back whole. */
function seedEcho(record: Record<string, unknown>): Record<string, unknown> {
  const seedFields = [
    'name',
    'description',
    'id',
    'rtmp1',
    'rtmp2',
    'viewer_endpoint',
    'archives_path',
    'last_update',
    'last_started',
    'last_stopped',
    'started',
    'current_session_id',
    'live_channel_id',
    'live_input_id',
    'package_endpoint_id',
    'package_channel_id',
  ];
  return Object.fromEntries(seedFields.map((f) => [f, record[f]]));
}

describe('POST /streams/{id}', () => {
  it('answers 200 with the record after changing name and description', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}`, {
      json: { name: 'Renamed', description: 'New' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({ name: 'Renamed', description: 'New', version: stream.version + 1 });
    expect(await api.store.get(stream.id)).toEqual(answer.body);
  });

  it('changes every editable field of an idle stream and starts no workflow', async () => {
    const encrypted = api.withConfig({ encryption: true });
    const stream = await api.seed(aKeyedStream());
    const changes = {
      segment_length: 6,
      startover_window_seconds: 600,
      key_rotation_interval: 120,
      max_duration_seconds: 3600,
      stop_after_input_loss_seconds: 120,
    };
    const answer = await encrypted.call('POST', `/streams/${stream.id}`, { json: changes });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject(changes);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('clears the auto-stop guard with null', async () => {
    const stream = await api.seed(aKeyedStream({ max_duration_seconds: 3600 }));
    const answer = await api.call('POST', `/streams/${stream.id}`, { json: { max_duration_seconds: null } });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.max_duration_seconds).toBeNull();
  });

  it("answers 200 to the seed's whole record echoed back unchanged with a new name, changing only the name", async () => {
    const stream = await api.seed(aKeyedStream({ archives_path: { S1: 's3://archive/2026/01/01/x' } }));
    const answer = await api.call('POST', `/streams/${stream.id}`, {
      json: { ...seedEcho({ ...stream }), name: 'Renamed' },
    });
    expect(answer.statusCode).toBe(200);
    const { name, version, last_update, ...rest } = answer.body;
    const { name: _n, version: _v, last_update: _l, ...before } = stream;
    expect(name).toBe('Renamed');
    expect(version).toBe(stream.version + 1);
    expect(rest).toEqual(before);
  });

  it('answers 200 to the whole GET answer echoed back with a new name', async () => {
    const stream = await api.seed(aKeyedStream());
    const read = await api.call('GET', `/streams/${stream.id}`);
    const answer = await api.call('POST', `/streams/${stream.id}`, {
      json: { ...read.body, name: 'From GET' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.name).toBe('From GET');
  });

  it('answers 200 to the whole record echoed back with a new name while the stream is RUNNING', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'RUNNING', started: true }));
    const answer = await api.call('POST', `/streams/${stream.id}`, { json: { ...stream, name: 'Live now' } });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.name).toBe('Live now');
    expect(answer.body.status).toBe('RUNNING');
  });

  it.each([
    ['id', '0000000000000001'],
    ['rtmp1', 'rtmp://198.51.100.1:1935/live/stolen'],
    ['rtmp2', null],
    ['viewer_endpoint', 'https://evil.example/index.m3u8'],
    ['archives_path', { S1: 's3://someone-elses-bucket/' }],
    ['live_channel_id', '9999999'],
    ['live_input_id', '9999999'],
    ['package_channel_id', 'other-channel'],
    ['package_endpoint_id', 'other-endpoint'],
    ['status', 'RUNNING'],
    ['version', 99],
    ['channel_class', 'SINGLE_PIPELINE'],
    ['cloudfront_associated', true],
    ['execution', { action: 'delete', name: 'x', arn: 'x', started_at: 'x' }],
    ['created_at', '2020-01-01T00:00:00.000Z'],
  ])(
    'answers 400 when read-only %s is sent with another value, and changes nothing',
    async (field, value) => {
      const stream = await api.seed(aKeyedStream());
      const answer = await api.call('POST', `/streams/${stream.id}`, {
        json: { name: 'Renamed', [field]: value },
      });
      expect(answer.statusCode).toBe(400);
      expectErrorShape(answer);
      expect(answer.body.error.details).toEqual([{ field, reason: 'is read-only' }]);
      expect(await api.store.get(stream.id)).toEqual(stream);
    },
  );

  it('answers 200 and writes nothing for an empty object', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}`, { json: {} });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.version).toBe(stream.version);
  });

  it.each([
    ['name is empty', { name: '' }, 'name'],
    ['name is a number', { name: 1 }, 'name'],
    ['description is too long', { description: 'd'.repeat(1025) }, 'description'],
    ['segment_length is 0', { segment_length: 0 }, 'segment_length'],
    ['segment_length is a string', { segment_length: '6' }, 'segment_length'],
    ['startover_window_seconds is negative', { startover_window_seconds: -5 }, 'startover_window_seconds'],
    ['max_duration_seconds is too short', { max_duration_seconds: 1 }, 'max_duration_seconds'],
    ['a field is unknown', { colour: 'red' }, 'colour'],
  ])('answers 400 naming the field when %s', async (_, body, field) => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}`, { json: body });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
  });

  it('answers 400 naming name when it holds an unpaired surrogate, and changes nothing', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}`, { json: { name: 'x\uD800y' } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'name', reason: 'is not valid Unicode (it has an unpaired surrogate)' },
    ]);
    expect(await api.store.get(stream.id)).toEqual(stream);
  });

  it.each([['[]'], ['"x"'], ['null'], ['7']])(
    'answers 400 when the body %s is not an object',
    async (body) => {
      const stream = await api.seed(aKeyedStream());
      const answer = await api.call('POST', `/streams/${stream.id}`, {
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.statusCode).toBe(400);
      expect(answer.body.error.details).toEqual([{ field: 'body', reason: 'must be a JSON object' }]);
    },
  );

  it('answers 400 on key_rotation_interval when HLS encryption is not configured', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}`, { json: { key_rotation_interval: 30 } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'key_rotation_interval', reason: 'HLS encryption is not configured on this deployment' },
    ]);
  });

  it('answers 404 for an unknown stream', async () => {
    const answer = await api.call('POST', `/streams/${UNKNOWN_ID}`, { json: { name: 'x' } });
    expect(answer.statusCode).toBe(404);
    expect(answer.body.error.code).toBe('StreamNotFound');
  });

  it('answers 409 with the status when an encoder setting changes while the stream is RUNNING', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'RUNNING' }));
    const answer = await api.call('POST', `/streams/${stream.id}`, { json: { segment_length: 10 } });
    expect(answer.statusCode).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'ActionNotAllowed', status: 'RUNNING' });
    expect(answer.body.error.message).toContain('segment_length');
  });

  it.each(['CREATING', 'STARTING', 'STOPPING', 'DELETING'] as StreamStatus[])(
    'answers 409 with the status when updating a stream that is %s',
    async (status) => {
      const stream = await api.seed(aKeyedStream({ status }));
      const answer = await api.call('POST', `/streams/${stream.id}`, { json: { name: 'x' } });
      expect(answer.statusCode).toBe(409);
      expect(answer.body.error).toMatchObject({ code: 'ActionNotAllowed', status });
      expect((await api.store.get(stream.id)).name).toBe(stream.name);
    },
  );

  it('answers 200 when renaming a FAILED stream', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'FAILED' }));
    expect((await api.call('POST', `/streams/${stream.id}`, { json: { name: 'x' } })).statusCode).toBe(200);
  });

  it('lets racing updates win or answer 409 VersionConflict, never lose a write silently', async () => {
    const stream = await api.seed(aKeyedStream());
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call('POST', `/streams/${stream.id}`, { json: { description: `w${i}` } }),
      ),
    );
    const won = answers.filter((a) => a.statusCode === 200);
    const lost = answers.filter((a) => a.statusCode !== 200);
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const a of lost) expect(a.body.error.code).toBe('VersionConflict');
    for (const a of lost) expect(a.statusCode).toBe(409);
    expect((await api.store.get(stream.id)).version).toBe(stream.version + won.length);
  });
});
