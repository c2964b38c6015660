import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../api/app.js';
import { type ApiHarness, aKeyedStream, expectErrorShape, startApi } from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());
beforeEach(() => api.resetSfn());

describe('content type', () => {
  it.each([
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data; boundary=x'],
    ['application/xml'],
    ['jsonish/json'],
  ])('answers 415 to a JSON body sent as %s', async (type) => {
    const answer = await api.call('POST', '/streams', {
      body: '{"name":"a"}',
      headers: { 'content-type': type },
    });
    expect(answer.statusCode).toBe(415);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('UnsupportedMediaType');
    expect(answer.body.error.message).toContain('application/json');
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 415 to a body sent without a content type', async () => {
    const answer = await api.call('POST', '/streams', { body: '{"name":"a"}' });
    expect(answer.statusCode).toBe(415);
    expect(answer.body.error.message).toContain('no content type');
  });

  it('answers 415 on a lifecycle route too', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}/start`, {
      body: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(answer.statusCode).toBe(415);
    expect((await api.store.get(stream.id)).status).toBe('IDLE');
  });

  it.each([
    ['application/json; charset=utf-8'],
    ['Application/JSON'],
    ['application/merge-patch+json'],
    ['application/vnd.api+json'],
  ])('accepts %s', async (type) => {
    const answer = await api.call('POST', '/streams', {
      body: '{"name":"a"}',
      headers: { 'Content-Type': type },
    });
    expect(answer.statusCode).toBe(202);
  });

  it('accepts a base64-encoded JSON body', async () => {
    const answer = await api.call('POST', '/streams', {
      body: Buffer.from('{"name":"encoded"}').toString('base64'),
      isBase64Encoded: true,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(202);
    expect(answer.body.name).toBe('encoded');
  });
});

describe('body size', () => {
  const padded = (bytes: number) => {
    const base = '{"name":"a","description":""}';
    return `{"name":"a","description":"${'x'.repeat(bytes - base.length)}"}`;
  };

  it('answers 413 to a body one byte over 64 KiB', async () => {
    const body = padded(MAX_BODY_BYTES + 1);
    expect(Buffer.byteLength(body)).toBe(64 * 1024 + 1);
    const answer = await api.call('POST', '/streams', {
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(413);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('PayloadTooLarge');
    expect(answer.body.error.message).toContain('65536');
  });

  it('reads a body of exactly 64 KiB (and judges its fields)', async () => {
    const answer = await api.call('POST', '/streams', {
      body: padded(MAX_BODY_BYTES),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([{ field: 'description', reason: expect.any(String) }]);
  });

  it('counts multi-byte characters in bytes, not characters', async () => {
    const body = `{"name":"a","description":"${'é'.repeat(MAX_BODY_BYTES / 2)}"}`;
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    const answer = await api.call('POST', '/streams', {
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(413);
  });

  it('answers 413 before anything else, whatever the route and content type', async () => {
    const stream = await api.seed(aKeyedStream());
    for (const [method, path] of [
      ['GET', `/streams/${stream.id}`],
      ['POST', `/streams/${stream.id}/stop`],
      ['DELETE', `/streams/${stream.id}`],
    ] as const) {
      const answer = await api.call(method, path, { body: 'x'.repeat(MAX_BODY_BYTES + 10) });
      expect(answer.statusCode).toBe(413);
    }
    expect((await api.store.get(stream.id)).status).toBe('IDLE');
  });

  it('measures a base64-encoded body after decoding', async () => {
    const answer = await api.call('POST', '/streams', {
      body: Buffer.from(padded(MAX_BODY_BYTES + 1)).toString('base64'),
      isBase64Encoded: true,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(413);
  });
});

describe('nesting depth', () => {
  // 4,128 arrays, about 8 KB: far under the size limit, deep enough to overflow JSON.stringify.
  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it.each([
    ['POST', '', 'archives_path', { archives_path: 'DEEP' }],
    ['POST', '', 'name', { name: 'DEEP' }],
    ['POST', '/start', 'path', { path: 'DEEP' }],
    ['POST', '/split', 'timestamp_list', { timestamp_list: 'DEEP', session_id: 'S1' }],
    ['POST', '/schedule', 'start_at', { start_at: 'DEEP' }],
  ] as const)(
    'answers 400 naming the body to %s /streams/{id}%s with 4,128 nested arrays in %s, and changes nothing',
    async (method, suffix, _, fields) => {
      const stream = await api.seed(aKeyedStream());
      const body = JSON.stringify(fields).replace('"DEEP"', deep(4128));
      expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);
      const answer = await api.call(method, `/streams/${stream.id}${suffix}`, {
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.statusCode).toBe(400);
      expectErrorShape(answer);
      expect(answer.body.error.details).toEqual([
        { field: 'body', reason: 'nests arrays and objects deeper than 32 levels' },
      ]);
      expect(await api.store.get(stream.id)).toEqual(stream);
      expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    },
  );

  it('answers 400 to a whole body of 32,000 nested arrays on POST /streams', async () => {
    const answer = await api.call('POST', '/streams', {
      body: deep(32_000),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'body', reason: 'nests arrays and objects deeper than 32 levels' },
    ]);
  });

  it('reads a body nested 32 levels deep (and judges its fields)', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}`, {
      body: JSON.stringify({ archives_path: 'DEEP' }).replace('"DEEP"', deep(31)),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([{ field: 'archives_path', reason: 'is read-only' }]);
  });
});

describe('methods and routes', () => {
  it.each([
    ['PUT', '/streams', 'GET, POST'],
    ['DELETE', '/streams', 'GET, POST'],
    ['PATCH', '/streams/0000000000000001', 'GET, POST, DELETE'],
    ['GET', '/streams/0000000000000001/start', 'POST'],
    ['DELETE', '/streams/0000000000000001/stop', 'POST'],
    ['GET', '/streams/0000000000000001/split', 'POST'],
    ['PUT', '/streams/0000000000000001/live', 'POST, DELETE'],
    ['POST', '/streams/0000000000000001/sessions', 'GET'],
    ['POST', '/openapi.json', 'GET'],
    ['HEAD', '/streams', 'GET, POST'],
  ])('answers 405 to %s %s with an Allow header of %s', async (method, path, allow) => {
    const answer = await api.call(method, path, { json: {} });
    expect(answer.statusCode).toBe(405);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('MethodNotAllowed');
    expect(answer.headers.allow).toBe(allow);
  });

  it.each([
    ['/'],
    ['/stream'],
    ['/streams/0000000000000001/unknown'],
    ['/streams/0000000000000001/start/now'],
    [''],
  ])('answers 404 RouteNotFound for the path %j', async (path) => {
    const answer = await api.call('GET', path);
    expect(answer.statusCode).toBe(404);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('RouteNotFound');
  });

  it('reads the method case-insensitively', async () => {
    const stream = await api.seed(aKeyedStream());
    expect((await api.call('get', `/streams/${stream.id}`)).statusCode).toBe(200);
  });

  it('answers with JSON headers that forbid caching and sniffing, errors included', async () => {
    for (const answer of [await api.call('GET', '/streams'), await api.call('GET', '/nope')]) {
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
