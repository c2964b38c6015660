/**
 * Reading an API Gateway proxy event: the path's stream id, headers, query parameters and the JSON
 * body, with the limits every route shares. What the parts must hold is each route's schemas' call.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequest } from '../core/errors.js';
import { HttpError } from './http.js';

/** API Gateway accepts 10 MB; no request of this API needs more than a few KiB. */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * The deepest body a route takes is 3 levels (a split's ranges), an echoed record 4. 64 KiB of `[`
 * is 65,536 levels: deep enough to overflow the stack of any recursive walk (JSON.stringify, a
 * comparison) after the parse.
 */
export const MAX_JSON_DEPTH = 32;

/** A malformed escape (`%E0%A4%A`) cannot name a stream: keep it raw so the id check answers 404. */
export function decodePathId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function lowerCaseHeaders(
  headers: APIGatewayProxyEvent['headers'] | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/**
 * The body as JSON: undefined for a route that takes none (and refuses any), `{}` when empty.
 * 413 over the size limit, 415 when not sent as JSON, 400 when not JSON or nested too deep.
 */
export function readBody(
  event: APIGatewayProxyEvent,
  headers: Record<string, string>,
  takesBody: boolean,
): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpError(
      413,
      'PayloadTooLarge',
      `the body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES}`,
    );
  }
  const text = bytes.toString('utf8');
  if (!takesBody) {
    if (text.trim() !== '') throw new InvalidRequest([{ field: 'body', reason: 'this route takes no body' }]);
    return undefined;
  }
  if (text.trim() === '') return {};
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `send the body as application/json (got ${type || 'no content type'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidRequest([{ field: 'body', reason: `is not valid JSON (${(error as Error).message})` }]);
  }
  if (depthOver(parsed, MAX_JSON_DEPTH)) {
    throw new InvalidRequest(
      [{ field: 'body', reason: `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels` }],
      `the body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  return parsed;
}

/** Whether `value` nests arrays and objects more than `max` levels deep (without recursion). */
export function depthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export function readQuery(event: APIGatewayProxyEvent): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {}))
    if (typeof v === 'string') query[k] = v;
  return query;
}
