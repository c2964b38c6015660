/**
 * Property tests: whatever a client sends to any route, the API answers 2xx or 4xx, in JSON, with the
 * error shape on 4xx; it never throws and never answers 5xx. Step Functions is mocked to succeed, so
 * a 5xx can only come from the API mishandling input. 1,000 runs per route, spread over four
 * properties (bodies, headers, query parameters, everything at once with random path ids).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROUTES, type Route } from '../../api/routes.js';
import { STREAM_STATUSES } from '../../core/stream.js';
import {
  type ApiHarness,
  aKeyedStream,
  expectErrorShape,
  readAnswer,
  startApi,
  streamKeyOf,
} from './api-harness.js';
import { bodies, headers, IDEMPOTENCY_KEYS, pathIds, queries, requestTo } from './request-arbitraries.js';

const RUNS = { bodies: 400, headers: 200, query: 200, everything: 200 } as const;
const STREAMS_PER_STATUS = 3;

let api: ApiHarness;
let streamIds: string[] = [];
const secrets: string[] = [];

beforeAll(async () => {
  api = await startApi({ cloudfront: true, encryption: false });
});
afterAll(async () => api.close());

// Each property starts from streams in every status: lifecycle requests move them along as it runs.
beforeEach(async () => {
  streamIds = [];
  for (const status of STREAM_STATUSES) {
    for (let i = 0; i < STREAMS_PER_STATUS; i++) {
      const stream = await api.seed(aKeyedStream({ status, archives_path: { S1: 's3://archive/S1' } }));
      await api.store.putSession(stream.id, {
        id: 'S1',
        prefix: 'S1',
        uri: 's3://archive/S1',
        started_at: '2026-01-01T00:00:00.000Z',
        stopped_at: null,
        segment_length: 10,
        channel_class: 'STANDARD',
      });
      streamIds.push(stream.id);
      secrets.push(streamKeyOf(stream.rtmp1), streamKeyOf(stream.rtmp2));
    }
  }
});

function describeEvent(event: APIGatewayProxyEvent): string {
  const body =
    event.body && event.body.length > 300
      ? `${event.body.slice(0, 300)}… (${event.body.length} chars)`
      : event.body;
  return JSON.stringify({ ...event, body, requestContext: undefined });
}

/** Sends the request and checks the answer is a well-formed 2xx or 4xx. */
async function answersWell(event: APIGatewayProxyEvent): Promise<void> {
  const result = await api.handler(event);
  const answer = readAnswer(result);
  const context = `${answer.statusCode} ${answer.raw.slice(0, 400)}\nfor ${describeEvent(event)}`;
  const ok =
    (answer.statusCode >= 200 && answer.statusCode < 300) ||
    (answer.statusCode >= 400 && answer.statusCode < 500);
  if (!ok) throw new Error(`answered ${context}`);
  if (answer.body === undefined) throw new Error(`answered a body that is not JSON: ${context}`);
  if (answer.headers['content-type'] !== 'application/json')
    throw new Error(`answered without JSON content type: ${context}`);
  if (answer.statusCode >= 400) expectErrorShape(answer);
  if (
    event.path.replace(/\/$/, '') === '/streams' &&
    event.httpMethod === 'GET' &&
    answer.statusCode === 200
  ) {
    for (const stream of answer.body)
      if (stream.rtmp1 !== null || stream.rtmp2 !== null) throw new Error('listing shows keys');
  }
}

const jsonHeaders = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    'idempotency-key': fc.constantFrom(...IDEMPOTENCY_KEYS),
  },
  { requiredKeys: ['content-type'] },
);

describe.each((ROUTES as readonly Route[]).map((r) => [`${r.method} ${r.path}`, r] as const))(
  '%s',
  (_, route) => {
    it(`answers 2xx or 4xx JSON to ${RUNS.bodies} random bodies`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...streamIds), bodies(route), jsonHeaders, (id, body, hdrs) =>
          answersWell(requestTo(route, { id, body, headers: hdrs, query: null })),
        ),
        { numRuns: RUNS.bodies },
      );
    });

    it(`answers 2xx or 4xx JSON to ${RUNS.headers} random header sets`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...streamIds), bodies(route), headers(), (id, body, hdrs) =>
          answersWell(requestTo(route, { id, body, headers: hdrs, query: null })),
        ),
        { numRuns: RUNS.headers },
      );
    });

    it(`answers 2xx or 4xx JSON to ${RUNS.query} random query strings`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...streamIds), queries(streamIds), jsonHeaders, (id, query, hdrs) =>
          answersWell(
            requestTo(route, { id, body: { body: null, isBase64Encoded: false }, headers: hdrs, query }),
          ),
        ),
        { numRuns: RUNS.query },
      );
    });

    it(`answers 2xx or 4xx JSON to ${RUNS.everything} requests random in every part, path id included`, async () => {
      await fc.assert(
        fc.asyncProperty(
          pathIds(streamIds),
          bodies(route),
          headers(),
          queries(streamIds),
          (id, body, hdrs, query) => answersWell(requestTo(route, { id, body, headers: hdrs, query })),
        ),
        { numRuns: RUNS.everything },
      );
    });
  },
);

describe('any method on any path', () => {
  it('answers 2xx or 4xx JSON, never 5xx', async () => {
    const method = fc.oneof(
      fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'get'),
      fc.string(),
    );
    const segment = fc.oneof(
      fc.constantFrom('streams', 'openapi.json', 'start', 'stop', 'live', 'split', 'sessions', '', '..'),
      fc.string(),
    );
    const path = fc.oneof(
      fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
      fc.string(),
      fc.constantFrom(...streamIds).map((id) => `/streams/${id}`),
    );
    await fc.assert(
      fc.asyncProperty(method, path, headers(), (m, p, hdrs) => {
        const event = requestTo(
          { ...(ROUTES[0] as Route), method: 'GET', path: p },
          { id: '', body: { body: null, isBase64Encoded: false }, headers: hdrs, query: null },
        );
        event.httpMethod = m;
        return answersWell(event);
      }),
      { numRuns: 500 },
    );
  });

  it('never logged a stream key while answering all of the above', () => {
    expect(api.logs.lines.length).toBeGreaterThan(100);
    const known = new Set(secrets);
    // Stream keys here are 32 hex characters: look each candidate up instead of scanning per key.
    const leaked = api.logs.lines.filter(
      (line) =>
        /rtmp:\/\//.test(line) ||
        (line.match(/[0-9a-f]{32}/g) ?? []).some((candidate) => known.has(candidate)),
    );
    expect(leaked).toEqual([]);
  });
});
