/**
 * The local media service's control plane: one endpoint speaking MediaLive (2017-10-14),
 * MediaPackage v1 (2017-10-12) and CloudFront (2020-05-31) closely enough that the SDK clients of
 * the tasks and the AWS CLI work against it through `AWS_ENDPOINT_URL_*`. A request goes to the
 * service named by its SigV4 credential scope.
 *
 * State lives in `<dataDir>/media-control.json` and is loaded at start: after a restart no encoder
 * runs, so channels come back IDLE (DELETING ones DELETED); the live distribution keeps its config
 * and ETag. `close()` stops pending transitions; the media plane belongs to whoever created it.
 */
import { pipelinesOf } from '../../../../core/archive-naming.js';
import { localArn } from '../../aws-server/arn.js';
import { AwsError, type Reply } from '../../aws-server/aws-error.js';
import { type Route, type RouteRequest, route } from '../../aws-server/protocols.js';
import type { AwsApi } from '../../aws-server/server.js';
import type { ControlPlaneView, LocalInput, MediaPlane } from '../contracts.js';
import { ChannelLifecycle, type ChannelTimings, type ControlLog } from './channel-lifecycle.js';
import { cloudFrontRoutes, defaultConfig, items } from './cloudfront.js';
import { mediaLiveRoutes } from './medialive.js';
import { endpointUrl, mediaPackageRoutes } from './mediapackage.js';
import {
  type ChannelRecord,
  type ControlState,
  type InputRecord,
  type OriginEndpointRecord,
  StateFile,
} from './state.js';
import { attachedInputIds, newETag, toLocalChannel } from './wire.js';

export interface ControlPlaneOptions {
  dataDir: string;
  /** @default 'us-east-1' */
  region?: string;
  /** The media plane's RTMP server (input destinations) and HLS origin (`http://127.0.0.1:8080`). */
  rtmpHost: string;
  rtmpPort: number;
  hlsBaseUrl: string;
  /** The live CloudFront distribution this service owns. */
  distribution: { id: string; domainName: string };
  /** How long MediaLive transitions take; see `DEFAULT_TIMINGS`. */
  timings?: Partial<ChannelTimings>;
  mediaPlane: MediaPlane;
  /** Reads a secret of the local Secrets Manager (an SRT input's passphrase). */
  readSecret?: (arn: string) => string | undefined;
  /** Tests only: the functions meet MediaLive's faults and states over the wire, as on AWS. */
  faults?: ControlPlaneFaults;
  /** Where failures no caller sees (media plane errors, state writes) are reported. @default stderr */
  log?: ControlLog;
  /**
   * Each channel transition MediaLive reports to EventBridge, with its event state names (CREATED,
   * STARTING, RUNNING, STOPPING, STOPPED, DELETED: never IDLE); `at` when it was not now (a channel
   * a crash stopped).
   */
  onChannelStateChange?: (change: {
    channelArn: string;
    state: string;
    pipelines: number;
    at?: Date;
  }) => void;
}

export interface MediaControlPlane {
  /** MediaLive, MediaPackage and CloudFront, to serve with `serveAws`. */
  api: AwsApi;
  view: ControlPlaneView;
  /** The resources as they are (tests read what the double holds). */
  state: Readonly<ControlState>;
  /**
   * Reports the channels the last process left encoding as STOPPED, at about the time it stopped:
   * call once the rules listen, so the records are brought back to the truth by the same drift
   * handling as on AWS.
   */
  reportInterrupted(): void;
  close(): Promise<void>;
}

/** How often a running channel refreshes `aliveAt`: the precision of the stop time after a crash. */
const ALIVE_EVERY_MS = 2_000;

/**
 * Shorter than AWS (a real start takes 1–2 minutes) so local mode stays pleasant, long enough that
 * workflows really see and poll the transitional states.
 */
const DEFAULT_TIMINGS: ChannelTimings = {
  createMs: 1000,
  startMs: 3000,
  stopMs: 2000,
  deleteMs: 1000,
  updateMs: 500,
};

/** MediaLive's event state for a transition: IDLE reads CREATED after a create, STOPPED after a run. */
function eventState(before: string | undefined, after: string): string | undefined {
  if (after !== 'IDLE')
    return ['STARTING', 'RUNNING', 'STOPPING', 'DELETED'].includes(after) ? after : undefined;
  if (before === 'CREATING') return 'CREATED';
  return ['STOPPING', 'STARTING', 'RUNNING'].includes(before ?? '') ? 'STOPPED' : undefined;
}

/** A call as the fault hooks see it: the service, the route (`POST /prod/channels/{channelId}/start`). */
export type FaultCall = { service: string } & Pick<Route, 'method' | 'path'> &
  Pick<RouteRequest, 'params' | 'body'>;

/** Sees every call before it is served: may answer it with an AWS error (`before`) or change the answer. */
export interface ControlPlaneFaults {
  before?(call: FaultCall): { code: string; status: number; message: string } | undefined;
  after?(call: FaultCall, reply: Reply): Reply | Promise<Reply>;
}

function withFaults(service: string, routes: Route[], faults: ControlPlaneFaults): Route[] {
  return routes.map((r) => ({
    ...r,
    handle: async (request) => {
      const call = { service, method: r.method, path: r.path, params: request.params, body: request.body };
      const fault = faults.before?.(call);
      if (fault) throw new AwsError(fault.code, fault.message, fault.status);
      const reply = await r.handle(request);
      return faults.after ? faults.after(call, reply) : reply;
    },
  }));
}

export function createMediaControlPlane(options: ControlPlaneOptions): MediaControlPlane {
  const region = options.region ?? 'us-east-1';
  const accountId = '000000000000';
  const { rtmpHost, rtmpPort, hlsBaseUrl, mediaPlane, readSecret } = options;
  const log: ControlLog =
    options.log ??
    ((message, details) => console.warn(JSON.stringify({ source: 'media-control', message, ...details })));
  const file = new StateFile(options.dataDir, (error) =>
    log('could not write the state file', { error: String(error) }),
  );
  const { state, interrupted } = file.load();
  const stoppedAt = state.aliveAt ? new Date(state.aliveAt) : new Date();
  const { channels, inputs } = state.medialive;
  const { endpoints } = state.mediapackage;
  const { distributions } = state.cloudfront;
  const { id: distributionId, domainName } = options.distribution;
  // Created on first start; a state file of an earlier version, without the config XML, gets it anew.
  const distribution = distributions[distributionId];
  distributions[distributionId] = {
    ...(distribution?.configXml
      ? distribution
      : {
          etag: newETag(),
          lastModifiedTime: new Date().toISOString(),
          configXml: defaultConfig(hlsBaseUrl),
        }),
    id: distributionId,
    domainName,
  };

  const report = ({ arn, settings }: ChannelRecord, event: string, at?: Date) =>
    options.onChannelStateChange?.({
      channelArn: arn,
      state: event,
      pipelines: pipelinesOf(settings.channelClass),
      ...(at && { at }),
    });
  // MediaLive's "Channel State Change" events, derived from the transitions each save records.
  const lastStates = new Map(Object.values(channels).map((c) => [c.id, c.state as string]));
  const save = () => {
    file.save(state);
    for (const channel of Object.values(channels)) {
      const event = eventState(lastStates.get(channel.id), channel.state);
      if (lastStates.get(channel.id) !== channel.state && event) report(channel, event);
      lastStates.set(channel.id, channel.state);
    }
  };
  save();

  const lifecycle = new ChannelLifecycle(save, mediaPlane, { ...DEFAULT_TIMINGS, ...options.timings }, log);
  const arn = (service: string, separator: string) => (kind: string, id: string) =>
    localArn(service, region, accountId, `${kind}${separator}${id}`);
  const services: Record<string, Route[]> = {
    medialive: mediaLiveRoutes({
      state,
      save,
      lifecycle,
      arn: arn('medialive', ':'),
      rtmpHost,
      rtmpPort,
      thumbnail: async (id) => mediaPlane.latestThumbnail?.(id),
      ...(readSecret && { readSecret }),
    }),
    mediapackage: mediaPackageRoutes({ state, save, arn: arn('mediapackage', '/'), hlsBaseUrl }),
    cloudfront: cloudFrontRoutes({ state, save, accountId }),
  };
  const { faults } = options;
  const routes = faults
    ? Object.fromEntries(
        Object.entries(services).map(([name, list]) => [name, withFaults(name, list, faults)]),
      )
    : services;

  const playback = ({ startoverWindowSeconds, manifestName }: OriginEndpointRecord) => ({
    startoverWindowSeconds,
    manifestName,
  });
  const localInput = (found: InputRecord): LocalInput => {
    const passphrase = found.srt ? readSecret?.(found.srt.passphraseSecretArn) : undefined;
    const keyLength =
      ({ AES128: 16, AES192: 24, AES256: 32 } as const)[found.srt?.algorithm as 'AES128'] ?? 16;
    return {
      id: found.id,
      streamNames: [...found.streamNames],
      type: found.type ?? 'RTMP_PUSH',
      ...(found.srt && passphrase !== undefined
        ? { srt: { ports: [...found.srt.ports], passphrase, latencyMs: found.srt.latencyMs, keyLength } }
        : {}),
    };
  };
  const view: ControlPlaneView = {
    findInputByStreamName(app, streamName) {
      const found = Object.values(inputs).find(
        (i) => i.state === 'DETACHED' && i.streamNames.includes(`${app}/${streamName}`),
      );
      return found && localInput(found);
    },
    getInput(id) {
      const found = inputs[id];
      return found && found.state !== 'DELETED' ? localInput(found) : undefined;
    },
    findRunningChannelForInput(inputId) {
      // STARTING counts once the media plane has been asked to encode: it may ask while starting.
      const running = (c: ChannelRecord) =>
        c.state === 'RUNNING' || (c.state === 'STARTING' && lifecycle.isEncoding(c.id));
      const found = Object.values(channels).find((c) => attachedInputIds(c).includes(inputId) && running(c));
      return found && toLocalChannel(found);
    },
    getPackageChannel(id) {
      if (!state.mediapackage.channels[id]) return undefined;
      const own = Object.values(endpoints).filter((e) => e.channelId === id);
      return {
        id,
        endpoints: own.map((e) => ({ id: e.id, url: endpointUrl(hlsBaseUrl, e), ...playback(e) })),
      };
    },
    findEndpointByHash(hash) {
      const found = Object.values(endpoints).find((e) => e.hash === hash);
      return found && { channelId: found.channelId, endpointId: found.id, ...playback(found) };
    },
    cdnServes(hash) {
      // UpdateDistribution refuses behaviours whose origin does not exist: a behaviour is enough.
      const config = distributions[distributionId]?.configXml;
      return items(config?.CacheBehaviors).some((behavior) => behavior.PathPattern === `/out/v1/${hash}/*`);
    },
  };

  const alive = setInterval(() => {
    if (!Object.values(channels).some((c) => c.state === 'RUNNING' || c.state === 'STARTING')) return;
    state.aliveAt = new Date().toISOString();
    file.save(state);
  }, ALIVE_EVERY_MS);
  alive.unref();

  return {
    reportInterrupted() {
      for (const channel of interrupted.splice(0)) report(channel, 'STOPPED', stoppedAt);
    },
    api: {
      protocol: (request) =>
        /\/cloudfront\/aws4_request/.test(request.headers.authorization ?? '') ? 'rest-xml' : 'rest-json',
      handle: (request) => route(routes[request.service] ?? [], request),
    },
    view,
    state,
    async close() {
      clearInterval(alive);
      await lifecycle.close();
      file.close();
    },
  };
}
