/**
 * The control plane's resources, persisted in `<dataDir>/media-control.json` (owner only: inputs
 * hold stream keys), rewritten atomically on every change. MediaLive and MediaPackage members are
 * kept in wire form (camelCase), so Describe answers echo what Create and Update received; the
 * CloudFront distribution config is kept as its XML tree.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChannelState } from '@aws-sdk/client-medialive';

export type JsonObject = { [key: string]: unknown };
type Tags = Record<string, string>;

/** Channel members DescribeChannel echoes, in wire form. */
export interface ChannelSettings {
  name?: string;
  channelClass: 'STANDARD' | 'SINGLE_PIPELINE';
  roleArn?: string;
  logLevel: string;
  encoderSettings: JsonObject;
  destinations: JsonObject[];
  inputAttachments: JsonObject[];
  inputSpecification: JsonObject;
  tags: Tags;
}

/** `requestId`: the idempotency token of the Create that made it. */
export interface ChannelRecord {
  id: string;
  arn: string;
  state: ChannelState;
  settings: ChannelSettings;
  requestId?: string;
  deletedAt?: string;
}

/** ATTACHED is derived from the channels; only what a channel cannot imply is stored. */
export interface InputRecord {
  id: string;
  arn: string;
  state: 'DETACHED' | 'DELETING' | 'DELETED';
  name?: string;
  inputClass: 'STANDARD' | 'SINGLE_PIPELINE';
  /** "app/key", one per destination (`srt/<id>-<pipeline>` for SRT_LISTENER). */
  streamNames: string[];
  /** Absent on inputs of earlier versions: RTMP_PUSH. */
  type?: 'RTMP_PUSH' | 'SRT_LISTENER';
  /** SRT_LISTENER: the UDP port of each pipeline's listener and the decryption settings. */
  srt?: { ports: number[]; latencyMs: number; algorithm: string; passphraseSecretArn: string };
  roleArn?: string;
  securityGroups: string[];
  tags: Tags;
  requestId?: string;
  deletedAt?: string;
}

export interface PackageChannelRecord {
  id: string;
  arn: string;
  description?: string;
  createdAt: string;
  ingestEndpoints: Array<{ id: string; path: string; username: string; password: string }>;
  tags: Tags;
}

export interface OriginEndpointRecord {
  id: string;
  arn: string;
  /** The 32 hex digits of `/out/v1/<hash>/`, also the tail of the ARN. */
  hash: string;
  channelId: string;
  createdAt: string;
  manifestName: string;
  startoverWindowSeconds: number;
  timeDelaySeconds: number;
  origination: string;
  whitelist: string[];
  hlsPackage: JsonObject;
  tags: Tags;
}

export interface DistributionRecord {
  id: string;
  domainName: string;
  etag: string;
  lastModifiedTime: string;
  /** The DistributionConfig element as fast-xml-parser reads it (text values). */
  configXml: JsonObject;
}

export interface ControlState {
  version: 1;
  /** While a channel runs, refreshed every few seconds: after a crash, about when encoding stopped. */
  aliveAt?: string;
  medialive: {
    channels: Record<string, ChannelRecord>;
    inputs: Record<string, InputRecord>;
    securityGroups: Record<
      string,
      { id: string; arn: string; whitelistRules: Array<{ cidr: string }>; tags: Tags }
    >;
  };
  mediapackage: {
    channels: Record<string, PackageChannelRecord>;
    endpoints: Record<string, OriginEndpointRecord>;
  };
  cloudfront: { distributions: Record<string, DistributionRecord> };
}

/**
 * AWS keeps deleted channels and inputs describable for a while (waiters poll for DELETED); an hour
 * is well beyond the SDK waiters' 7-minute budget and keeps the file from growing forever.
 */
const DELETED_RETENTION_MS = 60 * 60 * 1000;

export class StateFile {
  private readonly file: string;
  private closed = false;

  constructor(
    dataDir: string,
    private readonly onWriteError: (error: unknown) => void,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'media-control.json');
  }

  /**
   * The saved state brought to what is true now: no encoder survived the restart and no timer is
   * left to finish a transition, so channels come back IDLE and what was DELETING is DELETED. A
   * corrupt file is an error, never silently reset.
   */
  load(): { state: ControlState; interrupted: ChannelRecord[] } {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text =
        '{"version":1,"medialive":{"channels":{},"inputs":{},"securityGroups":{}},"mediapackage":{"channels":{},"endpoints":{}},"cloudfront":{"distributions":{}}}';
    }
    const state = JSON.parse(text) as ControlState;
    if (state.version !== 1)
      throw new Error(`${this.file}: unsupported state version ${String(state.version)}`);
    // Records are looked up by ids from request paths: `constructor` or `__proto__` must find
    // nothing, never Object.prototype (whose changes would reach every object of the process).
    const { medialive, mediapackage, cloudfront } = state;
    for (const [owner, key] of [
      [medialive, 'channels'],
      [medialive, 'inputs'],
      [medialive, 'securityGroups'],
      [mediapackage, 'channels'],
      [mediapackage, 'endpoints'],
      [cloudfront, 'distributions'],
    ] as const) {
      const records = owner as Record<string, object>;
      records[key] = Object.assign(Object.create(null), records[key]);
    }
    // Channels that were encoding when the last process ended: MediaLive would say they stopped.
    const interrupted = Object.values(state.medialive.channels).filter((c) =>
      ['RUNNING', 'STARTING', 'STOPPING', 'RECOVERING'].includes(c.state),
    );
    for (const record of [
      ...Object.values(state.medialive.channels),
      ...Object.values(state.medialive.inputs),
    ]) {
      if (record.state === 'DELETING')
        Object.assign(record, { state: 'DELETED', deletedAt: new Date().toISOString() });
      else if (record.state !== 'DELETED' && record.state !== 'DETACHED') record.state = 'IDLE';
    }
    return { state, interrupted };
  }

  /** Writes `state` to a temporary file renamed over the old one, so a crash never leaves half a file. */
  save(state: ControlState): void {
    for (const records of [state.medialive.channels, state.medialive.inputs]) {
      for (const [id, { deletedAt }] of Object.entries(records)) {
        if (deletedAt && Date.parse(deletedAt) < Date.now() - DELETED_RETENTION_MS) delete records[id];
      }
    }
    if (this.closed) return;
    try {
      writeFileSync(`${this.file}.tmp`, JSON.stringify(state), { mode: 0o600 });
      renameSync(`${this.file}.tmp`, this.file);
    } catch (error) {
      this.onWriteError(error);
    }
  }

  /** Ignores further saves (timers of a closed control plane may still fire). */
  close(): void {
    this.closed = true;
  }
}
