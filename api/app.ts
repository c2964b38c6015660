/**
 * The thin API: validates, writes the transitional status with a conditional write, starts the
 * workflow, answers with the record. No AWS resource is touched here; the workflows do that.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ActionNotAllowed, FeatureNotConfigured, InvalidRequest } from '../core/errors.js';
import {
  ACTION_RULES,
  DEFAULTS,
  epochString,
  isAllowed,
  type LifecycleAction,
  type RuledAction,
  type StreamRecord,
  toSummary,
} from '../core/stream.js';
import type { StreamSchedules } from '../core/stream-schedules.js';
import type { StreamStore } from '../core/stream-store.js';
import { executionName, type WorkflowInput } from '../core/workflows.js';
import { errorBody, HttpError, json, toHttpError } from './http.js';
import { fingerprint, type IdempotencyStore } from './idempotency.js';
import { buildOpenApi } from './openapi.js';
import { ROUTES, type RouteSpec } from './routes.js';
import {
  type CreateStreamBody,
  idempotencyKey,
  READ_ONLY_FIELDS,
  type ScheduleBody,
  type SplitBody,
  type StartStreamBody,
  type UpdateStreamBody,
  updateStreamBody,
} from './schemas.js';
import { parseWith } from './validation.js';
import type { SyncResult, WorkflowStarter } from './workflow-starter.js';

/** API Gateway accepts 10 MB; no request of this API needs more than a few KiB. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Scheduler accepts any date; a year ahead is the product's limit for planned events. */
const MAX_SCHEDULE_AHEAD_MS = 366 * 86_400_000;
const STREAM_ID = /^[0-9A-F]{16}$/;

export interface ApiConfig {
  /** A live CloudFront distribution is deployed (`/live` routes work). */
  cloudfront: boolean;
  /** A SPEKE key provider is configured (`key_rotation_interval` takes effect). */
  encryption: boolean;
  /** Default auto-stop guard for new streams, seconds; null = none. */
  defaultMaxDurationSeconds: number | null;
  /** Browser origin allowed to read answers (CORS), when a console is deployed. */
  corsOrigin?: string | undefined;
}

export interface ApiDeps {
  store: StreamStore;
  workflows: WorkflowStarter;
  /** EventBridge Scheduler schedules of streams; undefined when the deployment has none. */
  schedules?: StreamSchedules | undefined;
  idempotency: IdempotencyStore;
  logger: Logger;
  config: ApiConfig;
  now?: () => Date;
}

export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context?: { awsRequestId?: string },
) => Promise<APIGatewayProxyResult>;

interface Request {
  route: RouteSpec;
  id: string | undefined;
  body: unknown;
  query: Record<string, string>;
  requestId: string;
}

const compiled = ROUTES.map((route) => ({
  route: route as RouteSpec,
  pattern: new RegExp(`^${route.path.replace('{id}', '([^/]+)')}/?$`),
}));

export function createApi(deps: ApiDeps): ApiHandler {
  const now = deps.now ?? (() => new Date());
  const { store, workflows, logger, config } = deps;
  // Built on first request: converting every schema costs cold-start time most invocations never use.
  let openApi: string | undefined;

  return async function handle(event, context) {
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? randomUUID();
    logger.appendKeys({ request_id: requestId });
    try {
      const result = await answer(event, requestId);
      // The console's origin (deployed with `console_origin`) must be able to read every answer.
      if (config.corsOrigin) {
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
      const matches = compiled
        .map(({ route, pattern }) => ({ route, match: pattern.exec(path) }))
        .filter((m) => m.match);
      if (matches.length === 0) throw new HttpError(404, 'RouteNotFound', `no route ${path}`);
      const hit = matches.find((m) => m.route.method === method);
      if (!hit) {
        const allow = matches.map((m) => m.route.method).join(', ');
        return json(405, errorBody('MethodNotAllowed', `${method} is not allowed on ${path}`), { allow });
      }
      const rawId = hit.match?.[1];
      const id = rawId === undefined ? undefined : decodePathId(rawId);
      if (id !== undefined) {
        logger.appendKeys({ stream_id: id });
        if (!STREAM_ID.test(id)) throw new HttpError(404, 'StreamNotFound', `stream ${id} does not exist`);
      }
      const headers = lowerCaseHeaders(event.headers);
      const request: Request = {
        route: hit.route,
        id,
        body: readBody(event, headers, hit.route),
        query: readQuery(event, hit.route),
        requestId,
      };
      const key = method === 'POST' ? headers['idempotency-key'] : undefined;
      if (key === undefined) return await dispatch(request);
      return await withIdempotency(request, key, method, path, event.body ?? '');
    } catch (error) {
      return failure(error);
    }
  }

  function failure(error: unknown): APIGatewayProxyResult {
    const known = toHttpError(error);
    if (known) {
      if (known.statusCode >= 500) logger.error(known.message, { code: known.code });
      else
        logger.info('request refused', {
          code: known.code,
          status_code: known.statusCode,
          reason: known.message,
        });
      return json(known.statusCode, errorBody(known.code, known.message, known.extra));
    }
    logger.error('unexpected error', { error: error as Error });
    return json(500, errorBody('InternalError', 'the request failed unexpectedly; it is safe to retry'));
  }

  async function withIdempotency(
    request: Request,
    rawKey: string,
    method: string,
    path: string,
    body: string,
  ): Promise<APIGatewayProxyResult> {
    const key = parseWith(idempotencyKey, rawKey, 'Idempotency-Key');
    const scope = `${method} ${path}`;
    const claim = await deps.idempotency.claim(scope, key, fingerprint(body));
    if (claim.kind === 'replay') {
      return { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' } };
    }
    if (claim.kind === 'mismatch') {
      throw new HttpError(
        422,
        'IdempotencyKeyReused',
        'this Idempotency-Key was used with another request body',
      );
    }
    if (claim.kind === 'conflict') {
      throw new HttpError(
        409,
        'IdempotencyKeyInUse',
        'a request with this Idempotency-Key is still being answered',
      );
    }
    let response: APIGatewayProxyResult;
    try {
      response = await dispatch(request);
    } catch (error) {
      response = failure(error);
    }
    // The action has happened: a failure to record the answer must not turn it into a 500 that
    // invites a retry (the key stays claimed until IN_PROGRESS expires).
    const record =
      response.statusCode >= 500
        ? deps.idempotency.release(scope, key)
        : deps.idempotency.complete(scope, key, response);
    await record.catch((e: unknown) =>
      logger.error('could not record the idempotent answer', { error: e as Error }),
    );
    return response;
  }

  async function dispatch(req: Request): Promise<APIGatewayProxyResult> {
    const id = req.id as string;
    switch (req.route.operationId) {
      case 'listStreams':
        return listStreams(req);
      case 'createStream':
        return json(202, await createStream(req.body as CreateStreamBody, req));
      case 'getStream':
        return json(200, await store.get(id));
      case 'updateStream':
        return json(200, await updateStream(id, req.body as Record<string, unknown>));
      case 'deleteStream':
        return json(202, await deleteStream(id, req.query.force === 'true', req));
      case 'startStream':
        return json(202, await startStream(id, req.body as StartStreamBody, req));
      case 'stopStream':
        return json(202, await lifecycle(id, 'stop', 'stop', {}, req));
      case 'goLive':
        requireCloudFront();
        return json(202, await lifecycle(id, 'go-live', 'go-live', {}, req));
      case 'endLive':
        requireCloudFront();
        return json(202, await lifecycle(id, 'end-live', 'end-live', {}, req));
      case 'splitArchive':
        return json(200, await split(id, req.body as SplitBody, req));
      case 'listSessions': {
        await store.get(id);
        const page = await store.listSessions(id, pageOf(req.query));
        return json(200, page.items, pageHeaders(req, page.next_token));
      }
      case 'listExecutions':
        return json(200, await listExecutions(id, Number(req.query.limit ?? 5)));
      case 'setSchedule':
        return json(200, await setSchedule(id, req.body as ScheduleBody));
      case 'getSchedule': {
        const record = await store.get(id);
        if (!record.schedule) throw new HttpError(404, 'ScheduleNotFound', `stream ${id} has no schedule`);
        return json(200, record.schedule);
      }
      case 'deleteSchedule':
        return json(200, await deleteSchedule(id));
      case 'getOpenApi':
        openApi ??= JSON.stringify(buildOpenApi());
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: openApi };
      default:
        throw new HttpError(404, 'RouteNotFound', `no route ${req.route.path}`);
    }
  }

  async function listStreams(req: Request): Promise<APIGatewayProxyResult> {
    const page = await store.list(pageOf(req.query));
    // The seed answered a bare array: keep it, and carry the page token in headers.
    return json(200, page.items.map(toSummary), pageHeaders(req, page.next_token));
  }

  function requireEncryption(keyRotation: number | null | undefined): void {
    if (keyRotation !== undefined && keyRotation !== null && !config.encryption) {
      throw new InvalidRequest(
        [{ field: 'key_rotation_interval', reason: 'HLS encryption is not configured on this deployment' }],
        'key_rotation_interval needs HLS encryption, which is not configured on this deployment (no SPEKE key provider)',
      );
    }
  }

  function requireCloudFront(): void {
    if (!config.cloudfront) {
      throw new FeatureNotConfigured(
        'cloudfront',
        'this deployment has no live CloudFront distribution; deploy with the cloudfront context option to use /live',
      );
    }
  }

  async function createStream(body: CreateStreamBody, req: Request): Promise<StreamRecord> {
    requireEncryption(body.key_rotation_interval);
    const at = now();
    const id = randomBytes(8).toString('hex').toUpperCase();
    logger.appendKeys({ stream_id: id });
    const record: StreamRecord = {
      id,
      name: body.name,
      description: body.description ?? '',
      rtmp1: null,
      rtmp2: null,
      viewer_endpoint: null,
      viewer_endpoint_cloudfront: null,
      archives_path: {},
      last_update: epochString(at),
      last_started: null,
      last_stopped: null,
      started: false,
      current_session_id: null,
      live_channel_id: null,
      live_input_id: null,
      package_endpoint_id: null,
      package_channel_id: null,
      segment_length: body.segment_length ?? DEFAULTS.segment_length,
      startover_window_seconds: body.startover_window_seconds ?? DEFAULTS.startover_window_seconds,
      key_rotation_interval: config.encryption
        ? (body.key_rotation_interval ?? DEFAULTS.key_rotation_interval)
        : null,
      cloudfront_associated: false,
      status: 'CREATING',
      version: 0,
      channel_class: body.channel_class ?? DEFAULTS.channel_class,
      error: null,
      execution: null,
      created_at: at.toISOString(),
      schedule: null,
      max_duration_seconds: body.max_duration_seconds ?? config.defaultMaxDurationSeconds,
      stop_after_input_loss_seconds: body.stop_after_input_loss_seconds ?? null,
    };
    const name = executionName(id, 'create', at, randomBytes(3).toString('hex'));
    record.execution = {
      action: 'create',
      name,
      arn: workflows.executionArn('create', name),
      started_at: at.toISOString(),
    };
    await store.create(record);
    try {
      await workflows.start('create', name, workflowInput(record, 'create', {}, req));
    } catch (error) {
      logger.error('could not start the create workflow', { error: error as Error });
      await store
        .delete(record)
        .catch((e: unknown) => logger.error('could not remove the record', { error: e as Error }));
      throw new HttpError(
        503,
        'WorkflowStartFailed',
        'could not start the CreateStream workflow; nothing was created, retry later',
      );
    }
    await rememberExecution(id, record.execution);
    logger.info('stream creation started', { execution: name });
    return record;
  }

  async function updateStream(id: string, body: Record<string, unknown>): Promise<StreamRecord> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidRequest([{ field: 'body', reason: 'must be a JSON object' }]);
    }
    const current = await store.get(id);
    // Seed clients echo the whole record: read-only fields pass when unchanged, never change.
    const editable: Record<string, unknown> = {};
    const problems: Array<{ field: string; reason: string }> = [];
    for (const [field, value] of Object.entries(body)) {
      if ((READ_ONLY_FIELDS as readonly string[]).includes(field)) {
        const currentValue = (current as unknown as Record<string, unknown>)[field];
        if (JSON.stringify(currentValue) !== JSON.stringify(value))
          problems.push({ field, reason: 'is read-only' });
      } else {
        editable[field] = value;
      }
    }
    if (problems.length > 0)
      throw new InvalidRequest(
        problems,
        `read-only fields cannot change: ${problems.map((p) => p.field).join(', ')}`,
      );
    const parsed = parseWith(updateStreamBody, editable) as UpdateStreamBody;
    // An echoed record repeats its settings: only values that differ are changes (a RUNNING stream
    // refuses encoder changes, not the same segment_length sent back).
    const changes = Object.fromEntries(
      Object.entries(parsed).filter(
        ([field, value]) =>
          JSON.stringify((current as unknown as Record<string, unknown>)[field]) !== JSON.stringify(value),
      ),
    ) as UpdateStreamBody;
    requireEncryption(changes.key_rotation_interval);
    if (!isAllowed('update', current.status)) throw new ActionNotAllowed(id, 'update', current.status);
    if (current.status === 'RUNNING') {
      const encoderFields = Object.keys(changes).filter((f) => f !== 'name' && f !== 'description');
      if (encoderFields.length > 0) {
        throw new ActionNotAllowed(
          id,
          'update',
          current.status,
          `only name and description can change while the stream is RUNNING (not ${encoderFields.join(', ')})`,
        );
      }
    }
    if (Object.keys(changes).length === 0) return current;
    const updated = await store.update(current, changes);
    logger.info('stream updated', { fields: Object.keys(changes) });
    return updated;
  }

  async function startStream(id: string, body: StartStreamBody, req: Request): Promise<StreamRecord> {
    requireEncryption(body.key_rotation_interval);
    const current = await store.get(id);
    if (current.status === 'FAILED' && !current.live_channel_id) {
      throw new ActionNotAllowed(
        id,
        'start',
        current.status,
        `stream ${id} has no channel (its creation failed): delete it and create it again`,
      );
    }
    const changes: Partial<StreamRecord> = {};
    if (body.startover_window_seconds !== undefined)
      changes.startover_window_seconds = body.startover_window_seconds;
    if (body.key_rotation_interval !== undefined) changes.key_rotation_interval = body.key_rotation_interval;
    const options: Record<string, unknown> = {};
    if (body.path !== undefined) options.path = body.path;
    return launch(current, 'start', 'start', changes, options, req);
  }

  async function deleteStream(id: string, force: boolean, req: Request): Promise<StreamRecord> {
    const current = await store.get(id);
    if (!force && (current.status === 'RUNNING' || current.status === 'STARTING')) {
      throw new ActionNotAllowed(
        id,
        'delete',
        current.status,
        `stream ${id} is ${current.status}: stop it first, or delete with ?force=true to stop and delete`,
      );
    }
    return launch(current, 'delete', force ? 'force-delete' : 'delete', {}, { force }, req);
  }

  async function lifecycle(
    id: string,
    action: LifecycleAction,
    rule: RuledAction,
    options: Record<string, unknown>,
    req: Request,
  ): Promise<StreamRecord> {
    const current = await store.get(id);
    if (action === 'stop' && current.status === 'FAILED' && !current.live_channel_id) {
      throw new ActionNotAllowed(id, 'stop', current.status, `stream ${id} has no channel to stop`);
    }
    return launch(current, action, rule, {}, options, req);
  }

  async function launch(
    current: StreamRecord,
    action: LifecycleAction,
    rule: RuledAction,
    changes: Partial<StreamRecord>,
    options: Record<string, unknown>,
    req: Request,
  ): Promise<StreamRecord> {
    if (!isAllowed(rule, current.status)) throw new ActionNotAllowed(current.id, action, current.status);
    const at = now();
    const name = executionName(current.id, action, at, randomBytes(3).toString('hex'));
    const to = ACTION_RULES[rule].to;
    const updated = await store.update(current, {
      ...changes,
      ...(to ? { status: to, error: null } : {}),
      execution: { action, name, arn: workflows.executionArn(action, name), started_at: at.toISOString() },
    });
    try {
      await workflows.start(action, name, workflowInput(updated, action, options, req));
    } catch (error) {
      logger.error(`could not start the ${action} workflow`, { error: error as Error });
      await store
        .update(
          updated,
          { status: current.status, execution: current.execution, error: current.error },
          { anyTransition: true },
        )
        .catch((e: unknown) => logger.error('could not put the status back', { error: e as Error }));
      throw new HttpError(
        503,
        'WorkflowStartFailed',
        `could not start the ${action} workflow; the stream is unchanged (${current.status}), retry later`,
      );
    }
    await rememberExecution(current.id, updated.execution);
    logger.info(`${action} workflow started`, { execution: name, status: updated.status });
    return updated;
  }

  /** For the executions listing; the workflow runs whether or not this write succeeds. */
  async function rememberExecution(id: string, execution: StreamRecord['execution']): Promise<void> {
    if (!execution) return;
    await store.putExecution(id, execution).catch((error: unknown) => {
      logger.warn('could not remember the execution', { error: (error as Error).name });
    });
  }

  async function listExecutions(id: string, limit: number): Promise<unknown[]> {
    await store.get(id);
    const executions = await store.listExecutions(id, limit);
    return Promise.all(
      executions.map(async (execution) => {
        try {
          return { ...execution, ...(await workflows.report(execution.arn)) };
        } catch (error) {
          // One execution Step Functions cannot describe (expired after 90 days, throttled) must
          // not hide the others.
          logger.warn('could not describe an execution', {
            execution: execution.name,
            error: (error as Error).name,
          });
          return { ...execution, status: 'UNKNOWN', stopped_at: null, error: null, cause: null, steps: [] };
        }
      }),
    );
  }

  function requireSchedules(): StreamSchedules {
    if (!deps.schedules) {
      throw new FeatureNotConfigured(
        'schedules',
        'this deployment has no schedule group: schedules are not available',
      );
    }
    return deps.schedules;
  }

  async function setSchedule(id: string, body: ScheduleBody): Promise<StreamRecord> {
    const schedules = requireSchedules();
    requireEncryption(body.key_rotation_interval);
    const current = await store.get(id);
    if (!isAllowed('schedule', current.status) && current.status !== 'FAILED') {
      throw new ActionNotAllowed(id, 'schedule', current.status);
    }
    const at = now();
    const startAt = new Date(body.start_at);
    const stopAt = body.stop_at ? new Date(body.stop_at) : undefined;
    const problems: Array<{ field: string; reason: string }> = [];
    // Scheduler's one-time schedules are to the second: leave it a few to create the schedule.
    if (startAt.getTime() < at.getTime() + 5_000)
      problems.push({ field: 'start_at', reason: 'must be at least 5 seconds in the future' });
    if (startAt.getTime() > at.getTime() + MAX_SCHEDULE_AHEAD_MS)
      problems.push({ field: 'start_at', reason: 'must be within one year' });
    if (stopAt) {
      const maxDuration = current.max_duration_seconds ?? config.defaultMaxDurationSeconds;
      if (stopAt.getTime() <= startAt.getTime())
        problems.push({ field: 'stop_at', reason: 'must be after start_at' });
      else if (maxDuration && stopAt.getTime() - startAt.getTime() > maxDuration * 1000) {
        problems.push({
          field: 'stop_at',
          reason: `the stream would run longer than its maximum duration (${maxDuration} s)`,
        });
      }
    }
    if (problems.length > 0)
      throw new InvalidRequest(
        problems,
        `invalid schedule: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`,
      );
    const options: Record<string, unknown> = {};
    if (body.path !== undefined) options.path = body.path;
    // Replacing a schedule replaces both times: the old stop goes even when the new one has none.
    await schedules.set(id, 'start', startAt, options);
    if (stopAt) await schedules.set(id, 'stop', stopAt);
    else await schedules.remove(id, 'stop');
    const changes: Partial<StreamRecord> = {
      schedule: {
        start_at: startAt.toISOString(),
        stop_at: stopAt?.toISOString() ?? null,
        start_options: options,
        updated_at: at.toISOString(),
        start_fired_at: null,
        stop_fired_at: null,
        last_result: null,
      },
    };
    if (body.startover_window_seconds !== undefined)
      changes.startover_window_seconds = body.startover_window_seconds;
    if (body.key_rotation_interval !== undefined) changes.key_rotation_interval = body.key_rotation_interval;
    const updated = await store.update(current, changes);
    logger.info('schedule set', { start_at: changes.schedule?.start_at, stop_at: changes.schedule?.stop_at });
    return updated;
  }

  async function deleteSchedule(id: string): Promise<StreamRecord> {
    const schedules = requireSchedules();
    const current = await store.get(id);
    await schedules.removeAll(id, ['start', 'stop']);
    if (!current.schedule) return current;
    return store.update(current, { schedule: null });
  }

  async function split(id: string, body: SplitBody, req: Request): Promise<unknown> {
    const current = await store.get(id);
    if (!isAllowed('split', current.status) && current.status !== 'STARTING') {
      throw new ActionNotAllowed(id, 'split', current.status);
    }
    const session = await store.getSession(id, body.session_id);
    const at = now();
    const name = executionName(id, 'split', at, randomBytes(3).toString('hex'));
    let result: SyncResult;
    try {
      result = await workflows.runSplit(name, {
        stream_id: id,
        session,
        timestamp_list: body.timestamp_list,
        name_modifier: body.name_modifier ?? randomUUID(),
        request_id: req.requestId,
      });
    } catch (error) {
      logger.error('could not run the split workflow', { error: error as Error });
      throw new HttpError(
        503,
        'SplitFailed',
        'could not run the split workflow; nothing was written, retry later',
      );
    }
    if (result.status === 'SUCCEEDED' && result.output) return JSON.parse(result.output);
    const cause = parseCause(result.cause);
    if (result.error === 'InvalidRequest' || result.error === 'ClipOutOfRange') {
      throw new HttpError(
        400,
        'InvalidRequest',
        cause.message,
        cause.details ? { details: cause.details } : {},
      );
    }
    throw new HttpError(
      503,
      'SplitFailed',
      `the split did not finish (${result.error ?? result.status}); nothing is lost, retry later`,
    );
  }

  function workflowInput(
    record: StreamRecord,
    action: LifecycleAction,
    options: Record<string, unknown>,
    req: Request,
  ): WorkflowInput {
    return {
      stream_id: record.id,
      action,
      options,
      requested_at: now().toISOString(),
      request_id: req.requestId,
    };
  }
}

function parseCause(cause: string | undefined): {
  message: string;
  details?: Array<{ field: string; reason: string }>;
} {
  try {
    const parsed = JSON.parse(cause ?? '') as {
      errorMessage?: string;
      details?: Array<{ field: string; reason: string }>;
    };
    return {
      message: parsed.errorMessage ?? 'the request is not valid',
      ...(parsed.details ? { details: parsed.details } : {}),
    };
  } catch {
    return { message: cause ?? 'the request is not valid' };
  }
}

/** A malformed escape (`%E0%A4%A`) cannot name a stream: keep it raw so the id check answers 404. */
function decodePathId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function lowerCaseHeaders(
  headers: APIGatewayProxyEvent['headers'] | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

function readBody(event: APIGatewayProxyEvent, headers: Record<string, string>, route: RouteSpec): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpError(
      413,
      'PayloadTooLarge',
      `the body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES}`,
    );
  }
  if (!route.body) {
    if (bytes.length > 0 && bytes.toString('utf8').trim() !== '') {
      throw new InvalidRequest([{ field: 'body', reason: 'this route takes no body' }]);
    }
    return undefined;
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') return parseWith(route.body, {});
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
  // updateStream checks read-only fields against the record before its schema applies.
  if (route.operationId === 'updateStream') return parsed;
  return parseWith(route.body, parsed);
}

function readQuery(event: APIGatewayProxyEvent, route: RouteSpec): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {}))
    if (typeof v === 'string') raw[k] = v;
  if (!route.query) {
    if (Object.keys(raw).length > 0) {
      throw new InvalidRequest(
        Object.keys(raw).map((field) => ({ field, reason: 'is not a known query parameter' })),
      );
    }
    return {};
  }
  const parsed = parseWith(route.query, raw, 'query') as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(parsed)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
}

function pageOf(query: Record<string, string>): { limit: number; next_token?: string } {
  return { limit: Number(query.limit ?? 25), ...(query.next_token ? { next_token: query.next_token } : {}) };
}

function pageHeaders(req: Request, nextToken: string | null): Record<string, string> {
  if (!nextToken) return {};
  const limit = req.query.limit ?? '25';
  const path = req.route.path.replace('{id}', req.id ?? '');
  return {
    'x-next-token': nextToken,
    link: `<${path}?limit=${limit}&next_token=${encodeURIComponent(nextToken)}>; rel="next"`,
  };
}
