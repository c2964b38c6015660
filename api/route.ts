/**
 * A route of the API: its method, path and operationId, the schemas of its body and query, and its
 * handler, which gets the body and query as those schemas parsed them (typed from the schemas, as in
 * Powertools' event-handler router with `validation`). The route table (routes.ts) lists them; the
 * dispatcher (app.ts), the OpenAPI document (openapi.ts) and the CDK app's API Gateway methods all
 * read that one table.
 */

import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { MediaLiveClient } from '@aws-sdk/client-medialive';
import type { ClipStore } from '../core/clip-store.js';
import type { Schedules } from '../core/stream-schedules.js';
import type { StreamStore } from '../core/stream-store.js';
import type { Archive } from './archive-access.js';
import type { ApiConfig } from './deployment.js';
import { HttpError } from './http.js';
import type { ApiLogger } from './logger.js';
import { type Infer, object, parseWith, type Schema } from './validation.js';
import type { WorkflowStarter } from './workflow-starter.js';

export type Method = 'GET' | 'POST' | 'DELETE';

/** What the success answer holds, for the OpenAPI document. */
export type Answers =
  | 'stream'
  | 'streamPage'
  | 'sessionPage'
  | 'split'
  | 'openapi'
  | 'schedule'
  | 'executions'
  | 'clip'
  | 'clipPage'
  | 'playlist'
  | 'health'
  | 'jpeg'
  | 'none';

/** What every handler works with: the deployment's clients and settings, built once per Lambda. */
export interface Services {
  store: StreamStore;
  workflows: WorkflowStarter;
  /** EventBridge Scheduler schedules of streams; undefined when the deployment has none. */
  schedules: Schedules | undefined;
  /** The clip records (core/clip-store.ts). */
  clips: ClipStore;
  /** Reads and signs archive objects (clip playlists, exports); undefined without an archive bucket. */
  archive: Archive | undefined;
  logger: ApiLogger;
  config: ApiConfig;
  now: () => Date;
  /** This API's OpenAPI document (built from the route table, which cannot import itself). */
  openApi: () => Promise<Record<string, unknown>>;
  /**
   * What the health and thumbnail routes read: MediaLive, CloudWatch, the origin's playlists. A
   * loader: the Lambda builds these clients on the first such request (api/handler.ts).
   */
  media?: (() => Promise<MediaReaders>) | undefined;
}

export interface MediaReaders {
  medialive: MediaLiveClient;
  cloudwatch: CloudWatchClient;
  fetch?: typeof fetch;
}

/**
 * A handler's answer: sent as JSON with the route's success status, as `text` of its own type, or
 * as bytes (`binary`).
 */
export interface Reply {
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of JSON (an HLS playlist). */
  text?: { contentType: string; body: string };
  /** Sent as is with this content type (base64 to API Gateway, which must list it as binary). */
  binary?: { contentType: string; data: Buffer };
}

/** A request to a route of the collection (`/streams`) or of the API itself. */
export interface Request<B extends Schema<unknown>, Q extends Schema<unknown>> {
  body: Infer<B>;
  query: Infer<Q>;
  requestId: string;
  /** Where this API is reached (`https://host/stage`), for the links it hands out. */
  baseUrl: string;
}

/** A request to a route of one stream (`/streams/{id}...`). */
export interface StreamRequest<B extends Schema<unknown>, Q extends Schema<unknown>> extends Request<B, Q> {
  /** The stream id of the path, already checked to look like one. */
  id: string;
}

/** A request to a route of one clip (`/streams/{id}/clips/{clip_id}...`). */
export interface ClipRequest<B extends Schema<unknown>, Q extends Schema<unknown>>
  extends StreamRequest<B, Q> {
  /** The clip id of the path (not checked: an id of another shape is a 404 of the handler). */
  clipId: string;
}

/** The parts of the request the dispatcher read, before the route's schemas judged them. */
export interface RawRequest {
  id: string | undefined;
  /** The path's `{clip_id}`, for clip routes. */
  clipId?: string | undefined;
  baseUrl: string;
  /** The body parsed as JSON; undefined when the route takes none. */
  body: unknown;
  query: Record<string, string>;
  requestId: string;
}

export type ObjectLike = Schema<unknown> & { readonly shape: Readonly<Record<string, Schema<unknown>>> };

/** A route as the table holds it. */
export interface Route {
  readonly method: Method;
  /** API Gateway resource path, `{id}` for the stream id. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** The JSON body's schema; undefined when the route takes no body. */
  readonly body?: Schema<unknown> | undefined;
  /** The query parameters' schema; undefined when the route takes none. */
  readonly query?: ObjectLike | undefined;
  /** HTTP status of a success. */
  readonly success: 200 | 202;
  readonly answers: Answers;
  /**
   * How callers authenticate: `iam` (IAM or Cognito on API Gateway, the bearer token locally), or
   * `signature` for links the API signed itself (a clip's playlist: players send no credentials).
   * @default 'iam'
   */
  readonly auth?: 'iam' | 'signature';
  /**
   * Parses the body and query with the route's schemas (throws `InvalidRequest` naming each bad
   * field) and returns the handler's call, to be made once the request is known to be valid.
   */
  prepare(request: RawRequest): (services: Services) => Promise<Reply>;
}

interface RouteSpec<B extends Schema<unknown>, Q extends ObjectLike, R> {
  method: Method;
  operationId: string;
  summary: string;
  /** `noBody` for a route that takes none. */
  body: B;
  /** `noQuery` for a route that takes no parameters. */
  query: Q;
  success: 200 | 202;
  answers: Answers;
  auth?: 'iam' | 'signature';
  handler: (request: R, services: Services) => Promise<Reply>;
}

/** The body of a route that takes none: the body reader refuses any, so this only ever sees none. */
export const noBody: Schema<undefined> = {
  parse(value, path, issues) {
    if (value !== undefined) issues.push({ path, reason: 'this route takes no body' });
    return undefined;
  },
  json: () => ({}),
};

/** The query of a route that takes no parameters. */
export const noQuery = object({}, { unknownKeyReason: 'is not a known query parameter' });

/** A route of the collection or of the API itself (no `{id}` in its path). */
export function route<B extends Schema<unknown>, Q extends ObjectLike>(
  spec: RouteSpec<B, Q, Request<B, Q>> & { path: string },
): Route {
  return {
    ...described(spec),
    prepare(raw) {
      const request: Request<B, Q> = {
        body: parseWith(spec.body, raw.body),
        query: parseWith(spec.query, raw.query, 'query'),
        requestId: raw.requestId,
        baseUrl: raw.baseUrl,
      };
      return (services) => spec.handler(request, services);
    },
  };
}

/** A route of one stream: its path has the stream id, `/streams/{id}...`. */
export function streamRoute<B extends Schema<unknown>, Q extends ObjectLike>(
  spec: RouteSpec<B, Q, StreamRequest<B, Q>> & { path: `/streams/{id}${string}` },
): Route {
  return {
    ...described(spec),
    prepare(raw) {
      if (raw.id === undefined) throw new HttpError(404, 'RouteNotFound', `no route ${spec.path}`);
      const request: StreamRequest<B, Q> = {
        id: raw.id,
        body: parseWith(spec.body, raw.body),
        query: parseWith(spec.query, raw.query, 'query'),
        requestId: raw.requestId,
        baseUrl: raw.baseUrl,
      };
      return (services) => spec.handler(request, services);
    },
  };
}

/** A route of one clip: `/streams/{id}/clips/{clip_id}...`. */
export function clipRoute<B extends Schema<unknown>, Q extends ObjectLike>(
  spec: RouteSpec<B, Q, ClipRequest<B, Q>> & { path: `/streams/{id}/clips/{clip_id}${string}` },
): Route {
  return {
    ...described(spec),
    prepare(raw) {
      if (raw.id === undefined || raw.clipId === undefined)
        throw new HttpError(404, 'RouteNotFound', `no route ${spec.path}`);
      const request: ClipRequest<B, Q> = {
        id: raw.id,
        clipId: raw.clipId,
        body: parseWith(spec.body, raw.body),
        query: parseWith(spec.query, raw.query, 'query'),
        requestId: raw.requestId,
        baseUrl: raw.baseUrl,
      };
      return (services) => spec.handler(request, services);
    },
  };
}

function described(
  spec: RouteSpec<Schema<unknown>, ObjectLike, never> & { path: string },
): Omit<Route, 'prepare'> {
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    body: spec.body === noBody ? undefined : spec.body,
    query: spec.query === noQuery ? undefined : spec.query,
    success: spec.success,
    answers: spec.answers,
    ...(spec.auth ? { auth: spec.auth } : {}),
  };
}
