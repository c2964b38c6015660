/**
 * What an operator needs to see at a glance during an event: per pipeline, is the input there
 * (and since when), what arrives (frame rate, bitrate), which MediaLive alerts are active, what
 * the encoder dropped or failed to send in the last minute, and how each simulcast destination
 * does; for the stream, how fresh the newest segment at the origin is.
 *
 * Sources, the same on AWS and locally (local mode serves the same APIs):
 * - DescribeChannel: the channel's state and its pipelines.
 * - The alerts the drift handler recorded from "MediaLive Channel Alert" events
 *   (core/stream-alerts.ts): input loss, audio, RTMP outputs.
 * - CloudWatch GetMetricData, one call. MediaLive ("Global metrics", "Input metrics" and "Output
 *   metrics" pages of the MediaLive user guide, namespace AWS/MediaLive, dimensions ChannelId and
 *   Pipeline): NetworkIn (Mb/s) for the bitrate, InputVideoFrameRate (frames/s), DroppedFrames,
 *   Output4xxErrors and Output5xxErrors (Sum). MediaPackage ("AWS Elemental MediaPackage live
 *   content metrics", namespace AWS/MediaPackage, dimension Channel): EgressRequestCount (Sum),
 *   what viewers asked for. Both publish at one-minute resolution, so the period is 60 s and the
 *   newest datapoint is the current minute.
 * - The origin's own playlist (public, no IAM): MediaPackage writes EXT-X-PROGRAM-DATE-TIME on
 *   every segment (core/origin-endpoint.ts), so the newest segment's end is read, not guessed.
 *
 * MediaLive publishes no metric of the input's resolution: `resolution` is null unless a source
 * gives it.
 */

import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeChannelCommand,
  type DescribeChannelResponse,
  type MediaLiveClient,
  NotFoundException,
} from '@aws-sdk/client-medialive';
import { pipelinesOf } from './archive-naming.js';
import { parseMediaPlaylist } from './media-playlist.js';
import type { StreamRecord, StreamStatus } from './stream.js';
import { type ChannelAlert, isActive, isInputLoss, RTMP_OUTPUT_ALERT } from './stream-alerts.js';
import type { StreamStore } from './stream-store.js';

export interface PipelineHealth {
  pipeline: number;
  input: {
    /** Null while the channel does not run. */
    connected: boolean | null;
    /** When the input arrived (connected) or went away (not connected). */
    since: string | null;
    video: { frame_rate: number | null; bitrate: number | null; resolution: string | null };
    audio: { detected: boolean | null };
  };
  active_alerts: Array<{ type: string; message: string; since: string }>;
  last_minute: {
    dropped_frames: number | null;
    output_4xx_errors: number | null;
    output_5xx_errors: number | null;
  };
  simulcast: Array<{ name: string; state: 'ACTIVE' | 'FAILING' | 'IDLE'; message: string | null }>;
}

export type HealthLight = 'green' | 'amber' | 'red' | 'off';

export interface StreamHealth {
  stream_id: string;
  status: StreamStatus;
  /** MediaLive's channel state; null when the stream has no channel. */
  channel_state: string | null;
  checked_at: string;
  /** green: all well; amber: an alert, a pipeline without input or dropped frames; red: no input or no fresh output; off: not running. */
  light: HealthLight;
  output: {
    newest_segment_at: string | null;
    newest_segment_age_seconds: number | null;
    viewer_requests_last_minute: number | null;
  };
  pipelines: PipelineHealth[];
  /** Every alert of the current session (or of the last one), active or cleared, newest first. */
  session_alerts: ChannelAlert[];
}

export interface HealthDeps {
  medialive: MediaLiveClient;
  cloudwatch: CloudWatchClient;
  store: StreamStore;
  /** Reads the origin's playlists. @default global fetch */
  fetch?: typeof fetch;
  now?: () => Date;
}

/** Metrics are per minute on AWS: five minutes back always holds the newest datapoint. */
const METRICS_WINDOW_MS = 5 * 60_000;
const PERIOD_SECONDS = 60;
/** An origin that has not answered in this long is not worth holding an API call for. */
const PLAYLIST_TIMEOUT_MS = 2_000;
/** Output older than this many segment lengths is stale: the encoder or the ingest has stopped. */
const STALE_SEGMENTS = 3;

const MEDIALIVE_METRICS = {
  fr: { name: 'InputVideoFrameRate', stat: 'Average' },
  ni: { name: 'NetworkIn', stat: 'Average' },
  df: { name: 'DroppedFrames', stat: 'Sum' },
  o4: { name: 'Output4xxErrors', stat: 'Sum' },
  o5: { name: 'Output5xxErrors', stat: 'Sum' },
} as const;
type MetricKey = keyof typeof MEDIALIVE_METRICS;

export async function streamHealth(deps: HealthDeps, record: StreamRecord): Promise<StreamHealth> {
  const now = deps.now?.() ?? new Date();
  const pipelines = pipelinesOf(record.channel_class);
  const sessionStart = record.last_started
    ? new Date(Number(record.last_started) * 1000).toISOString()
    : null;
  const running = record.status === 'RUNNING';
  const [channel, alerts, metrics, newest] = await Promise.all([
    describe(deps.medialive, record.live_channel_id),
    deps.store.listAlerts(record.id, sessionStart),
    running ? readMetrics(deps.cloudwatch, record, pipelines, now) : Promise.resolve(undefined),
    running && record.viewer_endpoint
      ? newestSegment(deps.fetch ?? fetch, record.viewer_endpoint).catch(() => null)
      : Promise.resolve(null),
  ]);
  const channelRunning = channel?.State === 'RUNNING';
  const health: StreamHealth = {
    stream_id: record.id,
    status: record.status,
    channel_state: channel?.State ?? null,
    checked_at: now.toISOString(),
    light: 'off',
    output: {
      newest_segment_at: newest ? new Date(newest).toISOString() : null,
      newest_segment_age_seconds: newest
        ? Math.max(0, Math.round((now.getTime() - newest) / 100) / 10)
        : null,
      viewer_requests_last_minute: metrics?.get('eg') ?? (running ? 0 : null),
    },
    pipelines: Array.from({ length: pipelines }, (_, pipeline) =>
      pipelineHealth(pipeline, record, alerts, metrics, channelRunning, sessionStart),
    ),
    session_alerts: alerts,
  };
  health.light = lightOf(health, channelRunning);
  return health;
}

async function describe(
  medialive: MediaLiveClient,
  channelId: string | null,
): Promise<DescribeChannelResponse | undefined> {
  if (!channelId) return undefined;
  try {
    return await medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
  } catch (error) {
    if (error instanceof NotFoundException) return undefined;
    throw error;
  }
}

/** One GetMetricData call for every metric of every pipeline; the newest datapoint of each. */
async function readMetrics(
  cloudwatch: CloudWatchClient,
  record: StreamRecord,
  pipelines: number,
  now: Date,
): Promise<Map<string, number>> {
  const queries: MetricDataQuery[] = [];
  if (record.live_channel_id) {
    for (let pipeline = 0; pipeline < pipelines; pipeline++) {
      for (const [key, metric] of Object.entries(MEDIALIVE_METRICS)) {
        queries.push({
          Id: `${key}${pipeline}`,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/MediaLive',
              MetricName: metric.name,
              Dimensions: [
                { Name: 'ChannelId', Value: record.live_channel_id },
                { Name: 'Pipeline', Value: String(pipeline) },
              ],
            },
            Period: PERIOD_SECONDS,
            Stat: metric.stat,
          },
        });
      }
    }
  }
  if (record.package_channel_id) {
    queries.push({
      Id: 'eg',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/MediaPackage',
          MetricName: 'EgressRequestCount',
          Dimensions: [{ Name: 'Channel', Value: record.package_channel_id }],
        },
        Period: PERIOD_SECONDS,
        Stat: 'Sum',
      },
    });
  }
  const values = new Map<string, number>();
  if (queries.length === 0) return values;
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: new Date(now.getTime() - METRICS_WINDOW_MS),
      EndTime: now,
      ScanBy: 'TimestampDescending',
    }),
  );
  for (const result of out.MetricDataResults ?? []) {
    const value = result.Values?.[0];
    if (result.Id && value !== undefined) values.set(result.Id, value);
  }
  return values;
}

function pipelineHealth(
  pipeline: number,
  record: StreamRecord,
  alerts: ChannelAlert[],
  metrics: Map<string, number> | undefined,
  channelRunning: boolean,
  sessionStart: string | null,
): PipelineHealth {
  const mine = alerts.filter((a) => a.pipeline === pipeline);
  const active = mine.filter(isActive);
  const metric = (key: MetricKey) => metrics?.get(`${key}${pipeline}`) ?? null;
  const lost = active.find(isInputLoss);
  const networkIn = metric('ni');
  let connected: boolean | null = null;
  let since: string | null = null;
  if (lost) {
    connected = false;
    since = lost.set_at;
  } else if (channelRunning) {
    connected = (networkIn ?? 0) > 0;
    // The latest end of an input loss on this pipeline, else the session's start.
    const back = mine.filter((a) => isInputLoss(a) && a.cleared_at).map((a) => a.cleared_at as string);
    since = connected ? (back.sort().pop() ?? sessionStart) : null;
  }
  const audioAlert = active.find((a) => /audio/i.test(a.type));
  const outputs = active.filter((a) => RTMP_OUTPUT_ALERT.test(a.type));
  return {
    pipeline,
    input: {
      connected,
      since,
      video: {
        frame_rate: connected ? round(metric('fr'), 2) : null,
        bitrate: connected && networkIn !== null ? Math.round(networkIn * 1_000_000) : null,
        resolution: null,
      },
      audio: { detected: audioAlert ? false : connected ? true : null },
    },
    active_alerts: active.map((a) => ({ type: a.type, message: a.message, since: a.set_at })),
    last_minute: {
      dropped_frames: metric('df'),
      output_4xx_errors: metric('o4'),
      output_5xx_errors: metric('o5'),
    },
    simulcast: (record.destinations ?? []).map((destination) => {
      const failing = outputs.find((a) => a.message.includes(destination.name));
      return {
        name: destination.name,
        state: !channelRunning ? 'IDLE' : failing ? 'FAILING' : 'ACTIVE',
        message: failing?.message ?? null,
      };
    }),
  };
}

function lightOf(health: StreamHealth, channelRunning: boolean): HealthLight {
  if (health.status !== 'RUNNING' || !channelRunning) return 'off';
  const inputs = health.pipelines.map((p) => p.input.connected);
  const age = health.output.newest_segment_age_seconds;
  const stale = age !== null && age > STALE_SEGMENTS * 6;
  if (!inputs.some((c) => c === true) || stale) return 'red';
  const troubled = health.pipelines.some(
    (p) =>
      p.input.connected !== true ||
      p.active_alerts.length > 0 ||
      (p.last_minute.dropped_frames ?? 0) > 0 ||
      p.simulcast.some((s) => s.state === 'FAILING'),
  );
  return troubled ? 'amber' : 'green';
}

const round = (value: number | null, digits: number) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The end of the newest segment at the origin (epoch ms), from the first rendition's playlist:
 * its last EXT-X-PROGRAM-DATE-TIME plus that segment's EXTINF.
 */
export async function newestSegment(fetcher: typeof fetch, masterUrl: string): Promise<number | null> {
  const get = async (url: string) => {
    const response = await fetcher(url, { signal: AbortSignal.timeout(PLAYLIST_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${response.status} from the origin`);
    return response.text();
  };
  const master = await get(masterUrl);
  const variant = master.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#'));
  const media = variant ? await get(new URL(variant.trim(), masterUrl).toString()) : master;
  let newest: number | null = null;
  for (const { programDateTime, duration } of parseMediaPlaylist(media)) {
    if (programDateTime !== undefined) newest = Math.max(newest ?? 0, programDateTime + duration * 1000);
  }
  return newest;
}
