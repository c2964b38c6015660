/**
 * fast-check arbitraries for hostile API Gateway requests: any JSON, broken JSON, huge bodies, wrong
 * types on real field names, nested junk, content-type and Idempotency-Key variants, junk headers,
 * junk and forged query parameters, junk path ids.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../api/app.js';
import type { Route } from '../../api/routes.js';
import { READ_ONLY_FIELDS } from '../../api/schemas.js';
import type { Schema } from '../../api/validation.js';
import { apiEvent } from './api-harness.js';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function fieldsOf(schema: Schema<unknown> | undefined): string[] {
  return schema && 'shape' in schema && typeof schema.shape === 'object' && schema.shape !== null
    ? Object.keys(schema.shape)
    : [];
}

/** Bodies that pass validation often enough to reach the store and the workflow starter. */
function plausibleBody(route: Route): fc.Arbitrary<unknown> {
  const name = fc.string({ minLength: 1, maxLength: 40 });
  const seconds = fc.integer({ min: -10, max: 100_000 });
  switch (route.operationId) {
    case 'createStream':
      return fc.record(
        {
          name,
          description: fc.string({ maxLength: 50 }),
          segment_length: seconds,
          channel_class: fc.constantFrom('STANDARD', 'SINGLE_PIPELINE', 'OTHER'),
          startover_window_seconds: seconds,
          key_rotation_interval: seconds,
          max_duration_seconds: seconds,
          stop_after_input_loss_seconds: seconds,
        },
        { requiredKeys: ['name'] },
      );
    case 'updateStream':
      return fc.record(
        {
          name,
          description: fc.string({ maxLength: 50 }),
          segment_length: seconds,
          startover_window_seconds: seconds,
          key_rotation_interval: fc.option(seconds, { nil: null }),
          max_duration_seconds: fc.option(seconds, { nil: null }),
          status: fc.constantFrom('IDLE', 'RUNNING'),
          rtmp1: fc.option(fc.string(), { nil: null }),
          archives_path: fc.dictionary(fc.string(), fc.string()),
        },
        { requiredKeys: [] },
      );
    case 'startStream':
      return fc.record(
        {
          path: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,8}(\/[a-z0-9]{1,8}){0,3}$/), fc.string()),
          startover_window_seconds: seconds,
          key_rotation_interval: seconds,
        },
        { requiredKeys: [] },
      );
    case 'splitArchive':
      return fc.record(
        {
          timestamp_list: fc.array(
            fc.record({
              start: fc.double({ min: -5, max: 5000, noNaN: true }),
              end: fc.double({ min: -5, max: 5000, noNaN: true }),
            }),
            { minLength: 0, maxLength: 4 },
          ),
          session_id: fc.constantFrom('S1', 'S2', 'missing', ''),
          name_modifier: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), fc.string()),
        },
        { requiredKeys: ['timestamp_list', 'session_id'] },
      );
    default:
      return fc.constant({});
  }
}

/** The raw body text and whether API Gateway marked it base64. */
export interface RawBody {
  body: string | null;
  isBase64Encoded: boolean;
}

export function bodies(route: Route): fc.Arbitrary<RawBody> {
  const fields = [...fieldsOf(route.body), ...(route.operationId === 'updateStream' ? READ_ONLY_FIELDS : [])];
  const knownField = fields.length > 0 ? fc.constantFrom(...fields) : fc.string();
  const json = (arb: fc.Arbitrary<unknown>) => arb.map((v) => JSON.stringify(v) ?? 'null');
  const text = fc.oneof(
    { weight: 6, arbitrary: json(plausibleBody(route)) },
    { weight: 3, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    // Wrong types on the route's own field names.
    { weight: 3, arbitrary: json(fc.dictionary(knownField, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })) },
    // Nested junk.
    { weight: 2, arbitrary: json(fc.jsonValue({ maxDepth: 6 })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'null',
        '{}',
        '[]',
        '{"__proto__":{"name":"x"}}',
        '{"constructor":{"prototype":{}}}',
        '\u0000',
        '{"a":1',
        '1e999',
      ),
    },
    // Huge strings around the 64 KiB limit, in one- and multi-byte characters.
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.integer({ min: MAX_BODY_BYTES - 200, max: MAX_BODY_BYTES + 2000 }),
          fc.constantFrom('a', 'é', '"', '€'),
        )
        .map(([n, c]) => `{"name":"${c.repeat(Math.floor(n / Buffer.byteLength(c)))}"}`),
    },
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<RawBody>({ body: null, isBase64Encoded: false }) },
    { weight: 8, arbitrary: text.map((body) => ({ body, isBase64Encoded: false })) },
    {
      weight: 1,
      arbitrary: text.map((body) => ({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true })),
    },
    { weight: 1, arbitrary: fc.string().map((body) => ({ body, isBase64Encoded: true })) },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  '',
  ';',
  'application/json;;;',
];

export const IDEMPOTENCY_KEYS = ['retry-1', 'retry-2', 'retry-3'];

export function headers(): fc.Arbitrary<Record<string, string> | null> {
  const contentType = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  );
  const key = fc.oneof(
    fc.constantFrom(...IDEMPOTENCY_KEYS),
    fc.stringMatching(/^[A-Za-z0-9_.:-]{1,128}$/),
    fc.string({ maxLength: 40 }),
    fc.string({ minLength: 129, maxLength: 400 }),
  );
  const named = (names: string[], value: fc.Arbitrary<string>) =>
    fc.option(fc.tuple(fc.constantFrom(...names), value), { nil: undefined });
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 9,
      arbitrary: fc
        .tuple(
          named(['content-type', 'Content-Type', 'CONTENT-TYPE'], contentType),
          named(['idempotency-key', 'Idempotency-Key', 'IDEMPOTENCY-KEY'], key),
          fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 100 }), {
            maxKeys: 4,
          }),
        )
        .map(([type, idem, junk]) => ({
          ...junk,
          ...(type ? { [type[0]]: type[1] } : {}),
          ...(idem ? { [idem[0]]: idem[1] } : {}),
        })),
    },
  );
}

export function queries(streamIds: readonly string[]): fc.Arbitrary<Record<string, string> | null> {
  const limit = fc.oneof(
    fc.integer({ min: -5, max: 200 }).map(String),
    fc.double().map(String),
    fc.constantFrom('', ' ', '1e2', '0x10', 'Infinity', 'NaN', '25abc'),
    fc.string({ maxLength: 10 }),
  );
  const token = fc.oneof(
    fc.string({ maxLength: 100 }),
    fc.base64String({ maxLength: 100 }),
    fc.jsonValue({ maxDepth: 3 }).map(base64url),
    fc.record({ k: fc.constantFrom('stream', 'session'), key: fc.jsonValue({ maxDepth: 2 }) }).map(base64url),
    // Structurally valid tokens with values the table never issued (empty, long, foreign).
    fc
      .record({
        pk: fc.string({ maxLength: 600 }),
        sk: fc.string({ maxLength: 600 }),
        list_pk: fc.constant('STREAM'),
        list_sk: fc.string({ maxLength: 1100 }),
      })
      .map((key) => base64url({ k: 'stream', key })),
    fc
      .record({
        pk: fc.constantFrom(...streamIds.map((id) => `STREAM#${id}`), 'STREAM#', ''),
        sk: fc.string({ maxLength: 1100 }).map((s) => `SESSION#${s}`),
      })
      .map((key) => base64url({ k: 'session', key })),
  );
  return fc.option(
    fc.oneof(
      fc.record({ limit, next_token: token }, { requiredKeys: [] }),
      fc.record({ force: fc.oneof(fc.constantFrom('true', 'false', 'TRUE', '1', ''), fc.string()) }),
      fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 3 }),
    ),
    { nil: null },
  );
}

export function pathIds(streamIds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...streamIds) },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9A-F]{16}$/) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%E0%A4%A',
        '%2F',
        '..',
        '.',
        ' ',
        '%00',
        'STREAM%23x',
        'a%2Fb',
        '%ZZ',
        `${streamIds[0]}%20`,
      ),
    },
  );
}

/** A request to `route` with the given parts; the path id, when the route has one, replaces `{id}`. */
export function requestTo(
  route: Route,
  parts: {
    id: string;
    body: RawBody;
    headers: Record<string, string> | null;
    query: Record<string, string> | null;
  },
): APIGatewayProxyEvent {
  const event = apiEvent(route.method, route.path.replace('{id}', parts.id), {
    body: parts.body.body,
    isBase64Encoded: parts.body.isBase64Encoded,
    query: parts.query,
  });
  // API Gateway may send `headers: null`; the event type says otherwise, the property says it happens.
  event.headers = parts.headers as APIGatewayProxyEvent['headers'];
  return event;
}
