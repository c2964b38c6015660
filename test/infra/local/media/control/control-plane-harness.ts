/**
 * Test harness: a control plane on a free port with a recording media plane, and real SDK clients
 * whose every raw response is recorded so tests can check it against the botocore models.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  type ChannelState,
  type CreateChannelCommandInput,
  CreateInputCommand,
  CreateInputSecurityGroupCommand,
  DescribeChannelCommand,
  MediaLiveClient,
} from '@aws-sdk/client-medialive';
import { MediaPackageClient } from '@aws-sdk/client-mediapackage';
import { newCredentials } from '../../../../../infra/local/aws-server/credentials.js';
import { serveAws } from '../../../../../infra/local/aws-server/server.js';
import type { LocalChannel, MediaPlane } from '../../../../../infra/local/media/contracts.js';
import {
  type ControlPlaneOptions,
  createMediaControlPlane,
} from '../../../../../infra/local/media/control/control-plane.js';
import { type Exchange, exchangeProblems, type ModelledService } from './botocore-shapes.js';

export type MediaPlaneCall =
  | { call: 'startChannel'; channel: LocalChannel }
  | { call: 'stopChannel'; channelId: string }
  | { call: 'close' };

export class RecordingMediaPlane implements MediaPlane {
  readonly calls: MediaPlaneCall[] = [];
  /** When set, startChannel rejects with it. */
  failStart: Error | undefined;
  startDelayMs = 0;

  async startChannel(channel: LocalChannel): Promise<void> {
    this.calls.push({ call: 'startChannel', channel });
    if (this.startDelayMs > 0) await sleep(this.startDelayMs);
    if (this.failStart) throw this.failStart;
  }

  async stopChannel(channelId: string): Promise<void> {
    this.calls.push({ call: 'stopChannel', channelId });
  }

  async close(): Promise<void> {
    this.calls.push({ call: 'close' });
  }
}

/** The key pair the control plane of these tests accepts. */
export const CREDENTIALS = newCredentials();

export const FAST_TIMINGS = { createMs: 40, startMs: 60, stopMs: 40, deleteMs: 40, updateMs: 30 };
export const DISTRIBUTION = { id: 'ELOCALLIVE0001', domainName: 'd111111abcdef8.cloudfront.net' };
export const HLS_BASE_URL = 'http://127.0.0.1:8080';

export interface Harness {
  url: string;
  dataDir: string;
  plane: RecordingMediaPlane;
  controlPlane: ReturnType<typeof createMediaControlPlane>;
  medialive: MediaLiveClient;
  mediapackage: MediaPackageClient;
  cloudfront: CloudFrontClient;
  /** Every raw response the clients received. */
  exchanges: Exchange[];
  /** Closes this control plane and starts a new one on the same data directory. */
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

export async function startHarness(
  options: Partial<ControlPlaneOptions> = {},
  shared?: { dataDir: string; exchanges: Exchange[]; plane: RecordingMediaPlane },
): Promise<Harness> {
  const dataDir = shared?.dataDir ?? mkdtempSync(path.join(tmpdir(), 'media-control-'));
  const exchanges = shared?.exchanges ?? [];
  const plane = shared?.plane ?? new RecordingMediaPlane();
  const controlPlane = createMediaControlPlane({
    dataDir,
    rtmpHost: '127.0.0.1',
    rtmpPort: 1935,
    hlsBaseUrl: HLS_BASE_URL,
    distribution: DISTRIBUTION,
    timings: FAST_TIMINGS,
    mediaPlane: plane,
    log: () => {},
    ...options,
  });
  const served = await serveAws(controlPlane.api, { port: 0, credentials: CREDENTIALS });
  const url = served.url;
  const config = {
    endpoint: url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    // One attempt: tests assert the first answer, not what the SDK's retries make of it.
    maxAttempts: 1,
  };
  const medialive = new MediaLiveClient(config);
  const mediapackage = new MediaPackageClient(config);
  const cloudfront = new CloudFrontClient(config);
  medialive.middlewareStack.add(
    recordExchanges('medialive', exchanges) as Parameters<typeof medialive.middlewareStack.add>[0],
    { step: 'deserialize', priority: 'low', name: 'recordExchanges' },
  );
  mediapackage.middlewareStack.add(
    recordExchanges('mediapackage', exchanges) as Parameters<typeof mediapackage.middlewareStack.add>[0],
    { step: 'deserialize', priority: 'low', name: 'recordExchanges' },
  );
  cloudfront.middlewareStack.add(
    recordExchanges('cloudfront', exchanges) as Parameters<typeof cloudfront.middlewareStack.add>[0],
    { step: 'deserialize', priority: 'low', name: 'recordExchanges' },
  );
  const destroyClients = () => {
    medialive.destroy();
    mediapackage.destroy();
    cloudfront.destroy();
  };
  const harness: Harness = {
    url,
    dataDir,
    plane,
    controlPlane,
    medialive,
    mediapackage,
    cloudfront,
    exchanges,
    async restart() {
      destroyClients();
      await served.close();
      await controlPlane.close();
      return startHarness(options, { dataDir, exchanges, plane });
    },
    async close() {
      destroyClients();
      await served.close();
      await controlPlane.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: AsyncIterable<Uint8Array> & object;
}

/**
 * Sits between the SDK's deserializer and the HTTP handler (deserialize step, low priority), buffers
 * each raw response body and hands the deserializer an identical stream.
 */
function recordExchanges(service: ModelledService, exchanges: Exchange[]) {
  return (next: (args: unknown) => Promise<{ response: unknown }>, context: { commandName?: string }) =>
    async (args: unknown) => {
      const out = await next(args);
      const response = out.response as RawResponse;
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      response.body = Readable.from([body]);
      exchanges.push({
        service,
        operation: (context.commandName ?? '').replace(/Command$/, ''),
        status: response.statusCode,
        headers: response.headers,
        body: body.toString('utf8'),
      });
      return out;
    };
}

/** Model problems of every recorded exchange. */
export function wireProblems(exchanges: readonly Exchange[]): string[] {
  return exchanges.flatMap(exchangeProblems);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Polls DescribeChannel until `target`; returns the distinct states seen on the way. */
export async function pollChannelState(
  medialive: MediaLiveClient,
  channelId: string,
  target: ChannelState,
  timeoutMs = 3000,
): Promise<ChannelState[]> {
  const seen: ChannelState[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { State } = await medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    if (State && seen.at(-1) !== State) seen.push(State);
    if (State === target) return seen;
    if (Date.now() > deadline)
      throw new Error(`channel ${channelId} never reached ${target}; saw ${seen.join(' → ')}`);
    await sleep(5);
  }
}

/** An RTMP_PUSH input (with its security group): 2 destinations for STANDARD, 1 for SINGLE_PIPELINE. */
export async function createRtmpInput(
  medialive: MediaLiveClient,
  streamNames: string[] = [`live/${randomKey()}`, `live/${randomKey()}`],
): Promise<string> {
  const { SecurityGroup } = await medialive.send(
    new CreateInputSecurityGroupCommand({ WhitelistRules: [{ Cidr: '0.0.0.0/0' }] }),
  );
  const { Input } = await medialive.send(
    new CreateInputCommand({
      Name: 'test-input',
      Type: 'RTMP_PUSH',
      InputSecurityGroups: [SecurityGroup?.Id ?? ''],
      Destinations: streamNames.map((StreamName) => ({ StreamName })),
    }),
  );
  return Input?.Id ?? '';
}

function randomKey(): string {
  return Math.random().toString(36).slice(2);
}

/** A small valid channel: MediaPackage output group and an S3 archive group, one rendition. */
export function channelRequest(
  inputId: string,
  overrides: Partial<CreateChannelCommandInput> = {},
): CreateChannelCommandInput {
  const channelClass = overrides.ChannelClass ?? 'STANDARD';
  const archiveUrls =
    channelClass === 'STANDARD'
      ? [{ Url: 's3ssl://archive/2024/01/01/s1-1/_1' }, { Url: 's3ssl://archive/2024/01/01/s1-1/_2' }]
      : [{ Url: 's3ssl://archive/2024/01/01/s1-1/_1' }];
  return {
    Name: 'stream-s1',
    ChannelClass: channelClass,
    RoleArn: 'arn:aws:iam::000000000000:role/medialive',
    InputAttachments: [{ InputId: inputId, InputAttachmentName: 'rtmp' }],
    Destinations: [
      { Id: 'mediapackage', MediaPackageSettings: [{ ChannelId: 'live-s1' }] },
      { Id: 'archive', Settings: archiveUrls },
    ],
    EncoderSettings: {
      TimecodeConfig: { Source: 'SYSTEMCLOCK' },
      AudioDescriptions: [{ Name: 'audio_1', AudioSelectorName: 'default' }],
      VideoDescriptions: [
        {
          Name: 'video_720p',
          Width: 1280,
          Height: 720,
          CodecSettings: { H264Settings: { Bitrate: 4_700_000, RateControlMode: 'CBR', Profile: 'HIGH' } },
        },
      ],
      OutputGroups: [
        {
          Name: 'mediapackage',
          OutputGroupSettings: {
            MediaPackageGroupSettings: { Destination: { DestinationRefId: 'mediapackage' } },
          },
          Outputs: [
            {
              OutputName: '720p',
              VideoDescriptionName: 'video_720p',
              AudioDescriptionNames: ['audio_1'],
              OutputSettings: { MediaPackageOutputSettings: {} },
            },
          ],
        },
        {
          Name: 'archive',
          OutputGroupSettings: {
            ArchiveGroupSettings: { Destination: { DestinationRefId: 'archive' }, RolloverInterval: 300 },
          },
          Outputs: [
            {
              OutputName: 'archive',
              VideoDescriptionName: 'video_720p',
              AudioDescriptionNames: ['audio_1'],
              OutputSettings: {
                ArchiveOutputSettings: { ContainerSettings: { M2tsSettings: {} }, NameModifier: '-1080p' },
              },
            },
          ],
        },
      ],
    },
    Tags: { stream_id: 's1' },
    ...overrides,
  };
}
