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

import { localArn } from '../../aws-server/arn.js';
import { AwsError, type Reply } from '../../aws-server/aws-error.js';
import { type Route, route } from '../../aws-server/protocols.js';
import type { AwsApi } from '../../aws-server/server.js';
import type { ControlPlaneView, LocalInput, MediaPlane } from '../contracts.js';
import { ChannelLifecycle, type ChannelTimings, type ControlLog } from './channel-lifecycle.js';
import { cloudFrontRoutes, defaultConfig, items } from './cloudfront.js';
import { mediaLiveRoutes, pipelinesOf } from './medialive.js';
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
  /** @default '000000000000' */
  accountId?: string;
  /** Host and port of the media plane's RTMP server, for input destination URLs. */
  rtmpHost: string;
  rtmpPort: number;
  /** Base URL of the media plane's HLS origin, for MediaPackage endpoint URLs (`http://127.0.0.1:8080`). */
  hlsBaseUrl: string;
  /** The live CloudFront distribution this service owns. */
  distribution: { id: string; domainName: string };
  /** How long MediaLive transitions take; see `DEFAULT_TIMINGS`. */
  timings?: Partial<ChannelTimings>;
  mediaPlane: MediaPlane;
  /** Reads a secret of the local Secrets Manager (an SRT input's passphrase). */
  readSecret?: (arn: string) => string | undefined;
  /**
   * Tests only: sees every call before it is served, and may answer it with an AWS error instead
   * (`before`) or change the answer (`after`), so that the functions meet MediaLive's faults and
   * states over the wire, as on AWS.
   */
  faults?: ControlPlaneFaults;
  /** Where failures no caller sees (media plane errors, state writes) are reported. @default stderr */
  log?: ControlLog;
  /**
   * Each channel transition MediaLive reports to EventBridge, with MediaLive's event state names
   * (CREATED, STARTING, RUNNING, STOPPING, STOPPED, DELETED: never IDLE).
   */
  onChannelStateChange?: (change: {
    channelArn: string;
    channelId: string;
    state: string;
    pipelines: number;
    /** When the change happened, when it is not now (a channel a crash stopped). */
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
   * Reports the channels the last process left encoding as STOPPED, at about the time it stopped
   * (MediaLive's events of a channel that stopped): call once the rules listen, so the records
   * are brought back to the truth by the same drift handling as on AWS.
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
export const DEFAULT_TIMINGS: ChannelTimings = {
  createMs: 1000,
  startMs: 3000,
  stopMs: 2000,
  deleteMs: 1000,
  updateMs: 500,
};

/** MediaLive's event state for a transition: IDLE reads CREATED after a create, STOPPED after a run. */
export function channelEventState(before: string | undefined, after: string): string | undefined {
  if (after !== 'IDLE')
    return ['STARTING', 'RUNNING', 'STOPPING', 'DELETED'].includes(after) ? after : undefined;
  if (before === 'CREATING') return 'CREATED';
  return ['STOPPING', 'STARTING', 'RUNNING'].includes(before ?? '') ? 'STOPPED' : undefined;
}

/** A call as the fault hooks see it: the service, the route (`POST /prod/channels/{channelId}/start`). */
export interface FaultCall {
  service: string;
  method: string;
  path: string;
  params: Record<string, string>;
  body: Buffer;
}

export interface ControlPlaneFaults {
  before?(call: FaultCall): { code: string; status: number; message: string } | undefined;
  after?(call: FaultCall, reply: Reply): Reply | Promise<Reply>;
}

function withFaults(service: string, routes: Route[], faults: ControlPlaneFaults | undefined): Route[] {
  if (!faults) return routes;
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
  const accountId = options.accountId ?? '000000000000';
  const log: ControlLog =
    options.log ??
    ((message, details) => console.warn(JSON.stringify({ source: 'media-control', message, ...details })));
  const file = new StateFile(options.dataDir, (error) =>
    log('could not write the state file', { error: String(error) }),
  );
  const { state, interrupted } = file.load();
  const stoppedAt = state.aliveAt ? new Date(state.aliveAt) : new Date();
  const { id: distributionId, domainName } = options.distribution;
  // Created on first start; a state file of an earlier version, without the config XML, gets it anew.
  const distribution = state.cloudfront.distributions[distributionId];
  const fresh = {
    etag: newETag(),
    lastModifiedTime: new Date().toISOString(),
    configXml: defaultConfig(options.hlsBaseUrl),
  };
  state.cloudfront.distributions[distributionId] = {
    ...(distribution?.configXml ? distribution : fresh),
    id: distributionId,
    domainName,
  };

  // MediaLive's "Channel State Change" events, derived from the transitions each save records.
  const lastStates = new Map(Object.values(state.medialive.channels).map((c) => [c.id, c.state as string]));
  const save = () => {
    file.save(state);
    for (const channel of Object.values(state.medialive.channels)) {
      const event = channelEventState(lastStates.get(channel.id), channel.state);
      if (lastStates.get(channel.id) !== channel.state && event) {
        const { arn: channelArn, id: channelId, settings } = channel;
        options.onChannelStateChange?.({
          channelArn,
          channelId,
          state: event,
          pipelines: pipelinesOf(settings),
        });
      }
      lastStates.set(channel.id, channel.state);
    }
  };
  save();

  const lifecycle = new ChannelLifecycle(
    save,
    options.mediaPlane,
    { ...DEFAULT_TIMINGS, ...options.timings },
    log,
  );
  const arn = (service: string, separator: string) => (kind: string, id: string) =>
    localArn(service, region, accountId, `${kind}${separator}${id}`);
  const { rtmpHost, rtmpPort, hlsBaseUrl } = options;
  const { faults } = options;
  const routes: Record<string, Route[]> = {
    medialive: withFaults(
      'medialive',
      mediaLiveRoutes({
        state,
        save,
        lifecycle,
        arn: arn('medialive', ':'),
        rtmpHost,
        rtmpPort,
        thumbnail: async (id) => options.mediaPlane.latestThumbnail?.(id),
        ...(options.readSecret ? { readSecret: options.readSecret } : {}),
      }),
      faults,
    ),
    mediapackage: withFaults(
      'mediapackage',
      mediaPackageRoutes({ state, save, arn: arn('mediapackage', '/'), hlsBaseUrl }),
      faults,
    ),
    cloudfront: withFaults('cloudfront', cloudFrontRoutes({ state, save, accountId }), faults),
  };

  const { inputs, channels } = state.medialive;
  const { endpoints } = state.mediapackage;
  const playback = ({ startoverWindowSeconds, manifestName }: OriginEndpointRecord) => ({
    startoverWindowSeconds,
    manifestName,
  });
  const localInput = (found: InputRecord): LocalInput => {
    const passphrase = found.srt ? options.readSecret?.(found.srt.passphraseSecretArn) : undefined;
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
      const config = state.cloudfront.distributions[distributionId]?.configXml;
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
      for (const { arn: channelArn, id: channelId, settings } of interrupted.splice(0)) {
        options.onChannelStateChange?.({
          channelArn,
          channelId,
          state: 'STOPPED',
          pipelines: pipelinesOf(settings),
          at: stoppedAt,
        });
      }
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
      await file.close();
    },
  };
}
