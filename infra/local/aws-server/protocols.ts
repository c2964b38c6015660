/**
 * The two request styles of the local services: the AWS JSON protocol (POST, the operation in
 * `X-Amz-Target`, the input a JSON object) and REST (the operation is the method and the path
 * template of the model's `requestUri`).
 */
import { AwsError, type Protocol, type Reply } from './aws-error.js';
import type { AwsApi, AwsRequest } from './server.js';

export type JsonObject = Record<string, unknown>;

/** An AWS JSON 1.0/1.1 service: `operations` by name, with the model's target prefix (`AWSEvents.`). */
export function jsonApi(
  protocol: Extract<Protocol, 'json-1.0' | 'json-1.1'>,
  targetPrefix: string,
  operations: Record<string, (input: JsonObject) => Promise<object> | object>,
): AwsApi {
  return {
    protocol: () => protocol,
    async handle(request) {
      const target = String(request.headers['x-amz-target']);
      const name = target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : '';
      const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
      if (request.method !== 'POST' || !operation) throw unknown(`${request.method} ${target}`);
      const output = await operation(
        parseJson(request.body, (m) => new AwsError('SerializationException', m)),
      );
      return {
        status: 200,
        headers: { 'content-type': `application/x-amz-${protocol}` },
        body: JSON.stringify(output),
      };
    },
  };
}

export interface Route {
  method: string;
  /** The model's requestUri, e.g. `/prod/channels/{channelId}/start`. */
  path: string;
  handle(request: AwsRequest & { params: Record<string, string> }): Reply | Promise<Reply>;
}
export type RouteRequest = Parameters<Route['handle']>[0];
export function on(method: string, path: string, handle: Route['handle']): Route {
  return { method, path, handle };
}

/** Runs the route matching the request's method and path, its `{labels}` decoded into `params`. */
export async function route(routes: readonly Route[], request: AwsRequest): Promise<Reply> {
  const segments = request.path.split('/');
  for (const candidate of routes) {
    const template = candidate.path.split('/');
    if (candidate.method !== request.method || template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const actual = segments[i] ?? '';
      if (!part.startsWith('{')) return part === actual;
      try {
        params[part.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return false; // not percent-encoding: no route matches
      }
      return actual !== '';
    });
    if (matches) return candidate.handle({ ...request, params });
  }
  throw unknown(`${request.method} ${request.path}`);
}

const unknown = (what: string) =>
  new AwsError('UnknownOperationException', `The local service does not implement ${what}.`);

export const jsonReply = (status: number, value: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/** The body as a JSON object (an empty body is `{}`). */
export function parseJson(body: Buffer, invalid: (message: string) => AwsError): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8').trim() || '{}');
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('The body must be a JSON object.');
  return value as JsonObject;
}
