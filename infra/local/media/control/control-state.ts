/**
 * The control plane's resources, as persisted in `<dataDir>/media-control.json`.
 *
 * MediaLive and MediaPackage members are kept in wire form (the JSON `locationName`s, camelCase), so
 * Describe answers echo exactly what Create/Update received. The CloudFront config is kept in the
 * SDK's own shape (`DistributionConfig`), which is also its XML element naming.
 */
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

/** The MediaLive channel states this service uses (CREATE_FAILED, RECOVERING, UPDATE_FAILED never occur). */
export type ChannelState =
  | 'CREATING'
  | 'IDLE'
  | 'STARTING'
  | 'RUNNING'
  | 'STOPPING'
  | 'DELETING'
  | 'DELETED'
  | 'UPDATING';

export type ChannelClassName = 'STANDARD' | 'SINGLE_PIPELINE';

/** Channel members echoed by DescribeChannel, in wire form. */
export interface ChannelSettings {
  name?: string;
  channelClass: ChannelClassName;
  roleArn?: string;
  logLevel: string;
  encoderSettings: JsonObject;
  destinations: JsonObject[];
  inputAttachments: JsonObject[];
  inputSpecification: JsonObject;
  cdiInputSpecification?: JsonObject;
  channelSecurityGroups?: string[];
  tags: Record<string, string>;
}

export interface ChannelRecord {
  id: string;
  arn: string;
  state: ChannelState;
  settings: ChannelSettings;
  /** The idempotency token of the CreateChannel that made it. */
  requestId?: string;
  deletedAt?: string;
}

export interface InputRecord {
  id: string;
  arn: string;
  /** ATTACHED is derived from the channels, so only the states a channel cannot imply are stored. */
  state: 'DETACHED' | 'DELETING' | 'DELETED';
  name?: string;
  inputClass: ChannelClassName;
  /** "app/key", one per destination. */
  streamNames: string[];
  securityGroups: string[];
  roleArn?: string;
  tags: Record<string, string>;
  requestId?: string;
  deletedAt?: string;
}

export interface SecurityGroupRecord {
  id: string;
  arn: string;
  whitelistRules: Array<{ cidr: string }>;
  tags: Record<string, string>;
}

export interface PackageChannelRecord {
  id: string;
  arn: string;
  description?: string;
  createdAt: string;
  /** Two ingest endpoints like AWS's; their URLs are built from the HLS base URL when answered. */
  ingestEndpoints: Array<{ id: string; path: string; username: string; password: string }>;
  tags: Record<string, string>;
}

export interface OriginEndpointRecord {
  id: string;
  arn: string;
  /** The 32 hex digits of `/out/v1/<hash>/`, also the tail of the ARN. */
  hash: string;
  channelId: string;
  createdAt: string;
  description?: string;
  manifestName: string;
  startoverWindowSeconds: number;
  timeDelaySeconds: number;
  origination: string;
  whitelist: string[];
  hlsPackage: JsonObject;
  authorization?: JsonObject;
  tags: Record<string, string>;
}

export interface DistributionRecord {
  id: string;
  domainName: string;
  etag: string;
  lastModifiedTime: string;
  config: DistributionConfig;
}

export interface ControlState {
  version: 1;
  medialive: {
    channels: Record<string, ChannelRecord>;
    inputs: Record<string, InputRecord>;
    securityGroups: Record<string, SecurityGroupRecord>;
  };
  mediapackage: {
    channels: Record<string, PackageChannelRecord>;
    endpoints: Record<string, OriginEndpointRecord>;
  };
  cloudfront: { distributions: Record<string, DistributionRecord> };
}

export function emptyControlState(): ControlState {
  return {
    version: 1,
    medialive: { channels: {}, inputs: {}, securityGroups: {} },
    mediapackage: { channels: {}, endpoints: {} },
    cloudfront: { distributions: {} },
  };
}

/**
 * Brings a state saved by a previous process to what is true now: no encoder survived the restart,
 * and no timer is left to finish a transition.
 * - RUNNING, STARTING, STOPPING → IDLE (the FFmpeg processes died with the old process);
 * - CREATING, UPDATING → IDLE (those transitions only wait);
 * - DELETING → DELETED, for channels and inputs.
 */
export function restoreAfterRestart(state: ControlState, now: Date): void {
  for (const channel of Object.values(state.medialive.channels)) {
    if (channel.state === 'DELETING') {
      channel.state = 'DELETED';
      channel.deletedAt = now.toISOString();
    } else if (channel.state !== 'DELETED' && channel.state !== 'IDLE') {
      channel.state = 'IDLE';
    }
  }
  for (const input of Object.values(state.medialive.inputs)) {
    if (input.state === 'DELETING') {
      input.state = 'DELETED';
      input.deletedAt = now.toISOString();
    }
  }
}

/**
 * AWS keeps deleted channels and inputs describable for a while (waiters poll for DELETED); an hour
 * is well beyond the SDK waiters' 7-minute budget and keeps the state file from growing forever.
 */
export const DELETED_RETENTION_MS = 60 * 60 * 1000;

export function pruneDeleted(state: ControlState, now: Date): void {
  const horizon = now.getTime() - DELETED_RETENTION_MS;
  const expired = (deletedAt: string | undefined) =>
    deletedAt !== undefined && Date.parse(deletedAt) < horizon;
  for (const [id, channel] of Object.entries(state.medialive.channels)) {
    if (channel.state === 'DELETED' && expired(channel.deletedAt)) delete state.medialive.channels[id];
  }
  for (const [id, input] of Object.entries(state.medialive.inputs)) {
    if (input.state === 'DELETED' && expired(input.deletedAt)) delete state.medialive.inputs[id];
  }
}
