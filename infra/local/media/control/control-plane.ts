/**
 * The local media service's control plane: one HTTP server speaking the MediaLive (2017-10-14),
 * MediaPackage v1 (2017-10-12) and CloudFront (2020-05-31) wire protocols closely enough that the
 * unmodified AWS SDK v3 clients (and the AWS CLI) work against it through `AWS_ENDPOINT_URL_*`.
 *
 * Requests are routed to a service by the SigV4 credential scope (`…/<service>/aws4_request`) or,
 * unsigned, by path. Any credentials are accepted: this is local mode.
 *
 * State lives in `<dataDir>/media-control.json`, rewritten atomically on every change and loaded at
 * startup. After a restart no encoder is running any more, so channels that were RUNNING or STARTING
 * come back IDLE (and must be started again); STOPPING, CREATING and UPDATING channels come back
 * IDLE; DELETING channels and inputs come back DELETED. The live CloudFront distribution keeps its
 * config and ETag across restarts.
 *
 * `close()` stops the server and pending transitions; it does not close the media plane, which
 * belongs to whoever created it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLBuilder } from 'fast-xml-parser';
import type { ControlPlaneView, MediaPlane } from '../contracts.js';
import { ChannelLifecycle, type ChannelTimings, type ControlLog } from './channel-lifecycle.js';
import { cloudFrontRoutes, ensureLiveDistribution } from './cloudfront-api.js';
import { CLOUDFRONT_XMLNS } from './cloudfront-xml.js';
import { pruneDeleted, restoreAfterRestart } from './control-state.js';
import { attachedInputIds, toLocalChannel } from './local-channel.js';
import { mediaLiveRoutes } from './medialive-api.js';
import { endpointUrl, mediaPackageRoutes } from './mediapackage-api.js';
import { DEFAULT_THROTTLE, RequestThrottle, type ThrottleOptions } from './request-throttle.js';
import { type ApiResponse, matchRoute, type Route } from './rest-routes.js';
import { ServiceError } from './service-error.js';
import { StateFile } from './state-file.js';

export interface ControlPlaneOptions {
  dataDir: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  /** Host and port of the media plane's RTMP server, for input destination URLs. */
  rtmpHost: string;
  rtmpPort: number;
  /** Base URL of the media plane's HLS origin, for MediaPackage endpoint URLs (e.g. `http://127.0.0.1:8080`). */
  hlsBaseUrl: string;
  /** The live CloudFront distribution this service owns. */
  distribution: { id: string; domainName: string };
  /** How long MediaLive transitions take; see `DEFAULT_TIMINGS`. */
  timings?: { createMs?: number; startMs?: number; stopMs?: number; deleteMs?: number; updateMs?: number };
  mediaPlane: MediaPlane;
  /** Per-service request rate before TooManyRequestsException. @default DEFAULT_THROTTLE */
  throttle?: ThrottleOptions;
  /**
   * Tests only: sees every call with its operation before it is served, and may answer it with an
   * AWS error instead (`before`) or change the answer (`after`), so that the functions meet
   * MediaLive's faults and states over the wire, as on AWS.
   */
  faults?: ControlPlaneFaults;
  /** Where failures that no caller sees (media plane errors, state writes) are reported. @default stderr */
  log?: ControlLog;
  /**
   * Called on each channel transition MediaLive reports to EventBridge, with MediaLive's event state
   * names (CREATED, STARTING, RUNNING, STOPPING, STOPPED, DELETED: never IDLE).
   */
  onChannelStateChange?: (change: {
    channelArn: string;
    channelId: string;
    state: string;
    pipelines: number;
  }) => void;
}

/** MediaLive's event state for a transition: IDLE reads CREATED after a create, STOPPED after a run. */
export function channelEventState(before: string | undefined, after: string): string | undefined {
  if (after === 'IDLE') {
    if (before === 'CREATING') return 'CREATED';
    if (before === 'STOPPING' || before === 'STARTING' || before === 'RUNNING') return 'STOPPED';
    return undefined;
  }
  return ['STARTING', 'RUNNING', 'STOPPING', 'DELETED'].includes(after) ? after : undefined;
}

/**
 * Shorter than AWS (a real start takes 1–2 minutes) so local mode stays pleasant, long enough that
 * workflows really see and poll the transitional states.
 */
export const DEFAULT_TIMINGS: ChannelTimings = {
  createMs: 1000,
  startMs: 3000,
  stopMs: 2000,
  deleteMs: 1000,
  updateMs: 500,
};

type ServiceName = 'medialive' | 'mediapackage' | 'cloudfront';

const SERVICES: readonly ServiceName[] = ['medialive', 'mediapackage', 'cloudfront'];
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;

const errorXml = new XMLBuilder({
  suppressEmptyNode: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
});

export interface FaultCall {
  service: ServiceName;
  operation: string;
  params: Record<string, string>;
  body: Buffer;
}

export interface ControlPlaneFaults {
  before?(call: FaultCall): { code: string; status: number; message: string } | undefined;
  after?(call: FaultCall, response: ApiResponse): ApiResponse | Promise<ApiResponse>;
}

export function createMediaControlPlane(opts: ControlPlaneOptions): {
  view: ControlPlaneView;
  listen(port: number, host?: string): Promise<{ url: string }>;
  close(): Promise<void>;
} {
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '000000000000';
  const log: ControlLog =
    opts.log ??
    ((message, details) => console.warn(JSON.stringify({ source: 'media-control', message, ...details })));

  const stateFile = new StateFile(opts.dataDir, (error) =>
    log('could not write the state file', { error: String(error) }),
  );
  const state = stateFile.load();
  restoreAfterRestart(state, new Date());
  ensureLiveDistribution(state, opts.distribution, opts.hlsBaseUrl);
  // MediaLive's "Channel State Change" events, derived from the transitions each save records.
  const lastStates = new Map(Object.values(state.medialive.channels).map((c) => [c.id, c.state as string]));
  const emitStateChanges = () => {
    if (!opts.onChannelStateChange) return;
    for (const channel of Object.values(state.medialive.channels)) {
      const before = lastStates.get(channel.id);
      lastStates.set(channel.id, channel.state);
      if (before === channel.state) continue;
      const event = channelEventState(before, channel.state);
      if (!event) continue;
      const pipelines = channel.settings.channelClass === 'SINGLE_PIPELINE' ? 1 : 2;
      opts.onChannelStateChange({ channelArn: channel.arn, channelId: channel.id, state: event, pipelines });
    }
  };
  const save = () => {
    pruneDeleted(state, new Date());
    stateFile.save(state);
    emitStateChanges();
  };
  save();

  const lifecycle = new ChannelLifecycle({
    save,
    mediaPlane: opts.mediaPlane,
    timings: { ...DEFAULT_TIMINGS, ...definedOnly(opts.timings ?? {}) },
    log,
  });

  const routes: Record<ServiceName, Route[]> = {
    medialive: mediaLiveRoutes({
      state,
      save,
      lifecycle,
      region,
      accountId,
      rtmpHost: opts.rtmpHost,
      rtmpPort: opts.rtmpPort,
    }),
    mediapackage: mediaPackageRoutes({ state, save, region, accountId, hlsBaseUrl: opts.hlsBaseUrl }),
    cloudfront: cloudFrontRoutes({ state, save, accountId }),
  };
  const throttles = Object.fromEntries(
    SERVICES.map((service) => [service, new RequestThrottle(opts.throttle ?? DEFAULT_THROTTLE)]),
  ) as Record<ServiceName, RequestThrottle>;

  const view: ControlPlaneView = {
    findInputByStreamName(app, streamName) {
      const key = `${app}/${streamName}`;
      const input = Object.values(state.medialive.inputs).find(
        (candidate) =>
          candidate.state !== 'DELETED' &&
          candidate.state !== 'DELETING' &&
          candidate.streamNames.includes(key),
      );
      return input ? { id: input.id, streamNames: [...input.streamNames] } : undefined;
    },
    findRunningChannelForInput(inputId) {
      // STARTING counts once the media plane has been asked to encode: it may ask while starting.
      const channel = Object.values(state.medialive.channels).find(
        (candidate) =>
          attachedInputIds(candidate).includes(inputId) &&
          (candidate.state === 'RUNNING' ||
            (candidate.state === 'STARTING' && lifecycle.isEncoding(candidate.id))),
      );
      return channel ? toLocalChannel(channel) : undefined;
    },
    getPackageChannel(id) {
      if (!state.mediapackage.channels[id]) return undefined;
      const endpoints = Object.values(state.mediapackage.endpoints)
        .filter((endpoint) => endpoint.channelId === id)
        .map((endpoint) => ({
          id: endpoint.id,
          url: endpointUrl(opts.hlsBaseUrl, endpoint),
          startoverWindowSeconds: endpoint.startoverWindowSeconds,
          manifestName: endpoint.manifestName,
        }));
      return { id, endpoints };
    },
    findEndpointByHash(hash) {
      const endpoint = Object.values(state.mediapackage.endpoints).find(
        (candidate) => candidate.hash === hash,
      );
      return endpoint
        ? {
            channelId: endpoint.channelId,
            endpointId: endpoint.id,
            startoverWindowSeconds: endpoint.startoverWindowSeconds,
            manifestName: endpoint.manifestName,
          }
        : undefined;
    },
    cdnServes(hash) {
      // UpdateDistribution refuses behaviours whose target origin does not exist, so a behaviour
      // for the path is enough to know the CDN routes it to an origin.
      const behaviors =
        state.cloudfront.distributions[opts.distribution.id]?.config.CacheBehaviors?.Items ?? [];
      return behaviors.some((behavior) => behavior.PathPattern === `/out/v1/${hash}/*`);
    },
  };

  const dispatch = async (req: IncomingMessage, body: Buffer, requestId: string): Promise<ApiResponse> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const service = serviceOf(req.headers.authorization, url.pathname);
    try {
      if (!service) {
        throw new ServiceError(
          'UnknownOperationException',
          400,
          `No local service answers ${req.method} ${url.pathname}.`,
        );
      }
      if (!throttles[service].tryTake()) {
        throw service === 'cloudfront'
          ? new ServiceError('Throttling', 400, 'Rate exceeded')
          : new ServiceError('TooManyRequestsException', 429, 'Too many requests, please slow down.');
      }
      const method = req.method ?? 'GET';
      const match = matchRoute(routes[service], method, url.pathname);
      if (!match) {
        throw new ServiceError(
          'UnknownOperationException',
          400,
          `The local ${service} service does not implement ${method} ${url.pathname}.`,
        );
      }
      const call = { service, operation: match.route.operation, params: match.params, body };
      const fault = opts.faults?.before?.(call);
      if (fault) throw new ServiceError(fault.code, fault.status, fault.message);
      const response = await match.route.handler({
        method,
        path: url.pathname,
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body,
      });
      return opts.faults?.after ? await opts.faults.after(call, response) : response;
    } catch (error) {
      if (!(error instanceof ServiceError)) {
        log('request failed', { requestId, method: req.method, path: url.pathname, error: String(error) });
      }
      return renderError(service ?? 'medialive', error, requestId);
    }
  };

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    readBody(req)
      .then((body) => dispatch(req, body, requestId))
      .catch((error: unknown) =>
        renderError(serviceOf(req.headers.authorization, req.url ?? '/') ?? 'medialive', error, requestId),
      )
      .then((response) => send(res, response, requestId))
      .catch((error: unknown) => {
        log('could not answer a request', { requestId, error: String(error) });
        res.destroy();
      });
  });

  return {
    view,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const hostPart = address.address.includes(':') ? `[${address.address}]` : address.address;
          resolve({ url: `http://${hostPart}:${address.port}` });
        });
      });
    },
    async close() {
      if (server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // SDK clients keep connections alive; without this, close would wait for them to time out.
        server.closeAllConnections();
        await closed;
      }
      await lifecycle.close();
      await stateFile.close();
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function serviceOf(authorization: string | undefined, path: string): ServiceName | undefined {
  if (authorization) {
    const scope = CREDENTIAL_SCOPE.exec(authorization)?.[1];
    if (scope) return (SERVICES as readonly string[]).includes(scope) ? (scope as ServiceName) : undefined;
  }
  if (path.startsWith('/prod/')) return 'medialive';
  if (path.startsWith('/2020-05-31/')) return 'cloudfront';
  if (/^\/(channels|origin_endpoints)(\/|\?|$)/.test(path)) return 'mediapackage';
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ServiceError('BadRequestException', 413, 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function renderError(service: ServiceName, error: unknown, requestId: string): ApiResponse {
  const known =
    error instanceof ServiceError
      ? error
      : new ServiceError(
          service === 'cloudfront' ? 'InternalError' : 'InternalServerErrorException',
          500,
          'The local media service failed to process the request; see its log.',
        );
  if (service === 'cloudfront') {
    return {
      status: known.status,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${
        errorXml.build({
          ErrorResponse: {
            '@_xmlns': CLOUDFRONT_XMLNS,
            Error: {
              Type: known.status >= 500 ? 'Receiver' : 'Sender',
              Code: known.code,
              Message: known.message,
            },
            RequestId: requestId,
          },
        }) as string
      }`,
    };
  }
  return {
    status: known.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': known.code },
    body: JSON.stringify({ message: known.message, ...known.extra }),
  };
}

function send(res: ServerResponse, response: ApiResponse, requestId: string): void {
  const body = response.body ?? '';
  res.writeHead(response.status, {
    ...response.headers,
    'x-amzn-requestid': requestId,
    'x-amz-request-id': requestId,
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
