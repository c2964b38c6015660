/**
 * The thin API: finds the route, reads the request, lets the route's schemas judge the body and
 * query, and calls the route's handler (api/routes/), once per `Idempotency-Key`. No AWS resource is
 * touched here; the workflows do that.
 */

import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ClipStore } from '../core/clip-store.js';
import type { Schedules } from '../core/stream-schedules.js';
import type { StreamStore } from '../core/stream-store.js';
import type { Archive } from './archive-access.js';
import type { ApiConfig } from './deployment.js';
import { errorAnswer, errorBody, HttpError, json } from './http.js';
import { answerOnce, type IdempotencyStore } from './idempotency.js';
import { once } from './lazy.js';
import type { ApiLogger } from './logger.js';
import { decodePathId, lowerCaseHeaders, readBody, readQuery } from './request.js';
import type { MediaReaders, Route, Services } from './route.js';
import { ROUTES } from './routes.js';
import type { WorkflowStarter } from './workflow-starter.js';

export type { ApiConfig } from './deployment.js';
export { MAX_BODY_BYTES } from './request.js';

const STREAM_ID = /^[0-9A-F]{16}$/;

export interface ApiDeps {
  store: StreamStore;
  workflows: WorkflowStarter;
  /** EventBridge Scheduler schedules of streams; undefined when the deployment has none. */
  schedules?: Schedules | undefined;
  clips: ClipStore;
  /** The archive bucket (clip playlists, MP4 downloads); undefined where the API has none. */
  archive?: Archive | undefined;
  idempotency: IdempotencyStore;
  logger: ApiLogger;
  config: ApiConfig;
  now?: () => Date;
  /** MediaLive and CloudWatch clients of the health and thumbnail routes, built on first use. */
  media?: (() => Promise<MediaReaders>) | undefined;
}

export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context?: { awsRequestId?: string },
) => Promise<APIGatewayProxyResult>;

const compiled = ROUTES.map((route) => ({
  route,
  pattern: new RegExp(
    `^${route.path.replace('{id}', '([^/]+)').replace('{clip_id}', '([^/]+)').replaceAll('.', '\\.')}/?$`,
  ),
}));

/** The route of `method` and `path` and its ids; 404 for no route, 405 for another method. */
function match(
  method: string,
  path: string,
): { route: Route; rawId: string | undefined; rawClipId: string | undefined } | APIGatewayProxyResult {
  const matches = compiled.flatMap(({ route, pattern }) => {
    const found = pattern.exec(path);
    return found ? [{ route, rawId: found[1], rawClipId: found[2] }] : [];
  });
  if (matches.length === 0) throw new HttpError(404, 'RouteNotFound', `no route ${path}`);
  const hit = matches.find((m) => m.route.method === method);
  if (hit) return hit;
  const allow = matches.map((m) => m.route.method).join(', ');
  return json(405, errorBody('MethodNotAllowed', `${method} is not allowed on ${path}`), { allow });
}

export function createApi(deps: ApiDeps): ApiHandler {
  const { logger, config } = deps;
  const services: Services = {
    store: deps.store,
    workflows: deps.workflows,
    schedules: deps.schedules,
    clips: deps.clips,
    archive: deps.archive,
    logger,
    config,
    now: deps.now ?? (() => new Date()),
    media: deps.media,
    // Loaded and built on first request: most invocations never need it (api/lazy.ts).
    openApi: once(async () => (await import('./openapi.js')).buildOpenApi()),
  };

  return async function handle(event, context) {
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? randomUUID();
    logger.appendKeys({ request_id: requestId });
    try {
      const result = await answer(event, requestId);
      if (isSignedRoute(String(event.path ?? ''))) {
        // A signed link plays in any page (hls.js in a browser reads it with CORS).
        result.headers = { ...result.headers, 'access-control-allow-origin': '*' };
      } else if (config.corsOrigin) {
        // The console's origin (deployed with `console_origin`) must be able to read every answer.
        result.headers = {
          ...result.headers,
          'access-control-allow-origin': config.corsOrigin,
          vary: 'Origin',
        };
      }
      return result;
    } finally {
      logger.resetKeys();
    }
  };

  async function answer(event: APIGatewayProxyEvent, requestId: string): Promise<APIGatewayProxyResult> {
    const method = String(event.httpMethod ?? '').toUpperCase();
    const path = String(event.path ?? '');
    try {
      const found = match(method, path);
      if ('statusCode' in found) return found;
      const { route, rawId, rawClipId } = found;
      const id = rawId === undefined ? undefined : decodePathId(rawId);
      if (id !== undefined) {
        logger.appendKeys({ stream_id: id });
        if (!STREAM_ID.test(id)) throw new HttpError(404, 'StreamNotFound', `stream ${id} does not exist`);
      }
      const headers = lowerCaseHeaders(event.headers);
      const call = route.prepare({
        id,
        clipId: rawClipId === undefined ? undefined : decodePathId(rawClipId),
        baseUrl: baseUrlOf(event, headers),
        body: readBody(event, headers, route.body !== undefined),
        query: readQuery(event),
        requestId,
      });
      const run = async () => {
        const reply = await call(services);
        if (reply.text) {
          return {
            statusCode: route.success,
            headers: { 'content-type': reply.text.contentType, ...reply.headers },
            body: reply.text.body,
          };
        }
        if (reply.binary) {
          return {
            statusCode: route.success,
            headers: { 'content-type': reply.binary.contentType, ...reply.headers },
            body: reply.binary.data.toString('base64'),
            isBase64Encoded: true,
          };
        }
        return json(route.success, reply.body, reply.headers);
      };
      const key = method === 'POST' ? headers['idempotency-key'] : undefined;
      if (key === undefined) return await run();
      return await answerOnce(
        deps.idempotency,
        logger,
        { scope: `${method} ${path}`, key, body: event.body ?? '' },
        run,
      );
    } catch (error) {
      return errorAnswer(error, logger);
    }
  }
}

const SIGNED_ROUTES = compiled
  .filter(({ route }) => route.auth === 'signature')
  .map(({ pattern }) => pattern);

/**
 * Whether `path` is a route that answers links the API signed itself, without IAM, Cognito or the
 * local bearer token (players send no credentials); the route checks the signature.
 */
export function isSignedRoute(path: string): boolean {
  return SIGNED_ROUTES.some((pattern) => pattern.test(path));
}

/**
 * Where callers reach this API: API Gateway's domain and stage (a custom domain's base path
 * mapping is the deployment's to add), else the Host header (local mode, plain HTTP on loopback).
 */
function baseUrlOf(event: APIGatewayProxyEvent, headers: Record<string, string>): string {
  const context = event.requestContext as { domainName?: string; stage?: string } | undefined;
  if (context?.domainName && context.stage) return `https://${context.domainName}/${context.stage}`;
  const proto = headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${headers.host ?? 'localhost'}`;
}
