/**
 * The stream record: the seed's fields (same names, same meaning) plus the status model.
 *
 * Time fields of the seed (`last_update`, `last_started`, `last_stopped`) keep its format, epoch
 * seconds as a string, because clients already parse them. New time fields are ISO 8601.
 */
export const STREAM_STATUSES = [
  'CREATING',
  'IDLE',
  'STARTING',
  'RUNNING',
  'STOPPING',
  'DELETING',
  'FAILED',
] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

export const CHANNEL_CLASSES = ['STANDARD', 'SINGLE_PIPELINE'] as const;
export type ChannelClass = (typeof CHANNEL_CLASSES)[number];

/**
 * How the stream's input is reached: RTMP push (the seed's, the default), or an SRT listener that
 * the encoder calls (MediaLive's SRT_LISTENER input, AES-encrypted with a passphrase generated like
 * a stream key and kept in Secrets Manager for MediaLive).
 */
export const INPUT_TYPES = ['RTMP_PUSH', 'SRT_LISTENER'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/**
 * At most 3 destinations: the platforms an event reaches at once (YouTube, Twitch and one more).
 * Each is a full rendition pushed from the channel (up to 8 Mb/s of egress at 1080p, billed per
 * destination), and locally one more process on a 2-core machine; more is a job for a restreaming
 * service fed by one destination.
 */
export const MAX_DESTINATIONS = 3;

/** Ladder renditions a simulcast destination can take (core/encoder-profile.ts LADDER). */
export const DESTINATION_RENDITIONS = ['1080p', '720p', '540p', '360p'] as const;
export type DestinationRendition = (typeof DESTINATION_RENDITIONS)[number];
/** 4.7 Mb/s: under Twitch's 6 Mb/s ingest cap and YouTube's 720p range. */
export const DEFAULT_DESTINATION_RENDITION: DestinationRendition = '720p';

/** A platform the channel pushes to (YouTube, Twitch...): an RTMP output group of the channel. */
export interface SimulcastDestination {
  /** Shown in health and logs; also names the channel's output. */
  name: string;
  /** `rtmp://` or `rtmps://` URL of the platform's ingest, without the stream key. */
  url: string;
  /**
   * Where pipeline 2 of a STANDARD channel pushes (the platform's backup ingest, e.g. YouTube's
   * `rtmp://b.rtmp.youtube.com/live2?backup=1`); without it, both pipelines push to `url`.
   */
  backup_url?: string | null;
  /** The platform's stream key: a secret, null in listings, never logged or put in events. */
  stream_key: string | null;
  rendition: DestinationRendition;
}

/** Lifecycle actions, each one a state machine (`core/workflows.ts`). */
export type LifecycleAction = 'create' | 'start' | 'stop' | 'delete' | 'go-live' | 'end-live';

export interface StreamError {
  /** Stable name of the failure (an error class name or an AWS error code). */
  code: string;
  message: string;
  /** The action whose workflow failed. */
  action: string;
  at: string;
}

export interface StreamExecution {
  action: LifecycleAction;
  name: string;
  arn: string;
  started_at: string;
}

/** One start of the stream: a recording session archived under `prefix`. */
export interface RecordingSession {
  id: string;
  /** S3 key prefix of the session's archive (no bucket, no trailing slash). */
  prefix: string;
  /** `s3://bucket/prefix`, the seed's `archives_path` value. */
  uri: string;
  started_at: string;
  stopped_at: string | null;
  segment_length: number;
  channel_class: ChannelClass;
}

export interface StreamSchedule {
  start_at: string;
  stop_at: string | null;
  start_options: StartOptions;
  updated_at: string;
  /** When each schedule fired, and what came of it (set by the workflow it started). */
  start_fired_at?: string | null;
  stop_fired_at?: string | null;
  last_result?: string | null;
}

/** Why a running stream was stopped without anyone asking (auto-stop guard, input loss). */
export interface AutoStop {
  reason: 'max_duration' | 'input_loss';
  message: string;
  at: string;
}

export interface StartOptions {
  path?: string | undefined;
  startover_window_seconds?: number | undefined;
  key_rotation_interval?: number | undefined;
}

export interface StreamRecord {
  id: string;
  name: string;
  description: string;
  /** RTMP push URLs with the stream key: secrets, only in single-stream answers. */
  rtmp1: string | null;
  rtmp2: string | null;
  viewer_endpoint: string | null;
  viewer_endpoint_cloudfront: string | null;
  /** Session id → `s3://bucket/prefix` (the seed's map, kept for compatibility). */
  archives_path: Record<string, string>;
  last_update: string;
  last_started: string | null;
  last_stopped: string | null;
  started: boolean;
  current_session_id: string | null;
  live_channel_id: string | null;
  live_input_id: string | null;
  package_endpoint_id: string | null;
  package_channel_id: string | null;
  segment_length: number;
  startover_window_seconds: number;
  key_rotation_interval: number | null;
  cloudfront_associated: boolean;
  status: StreamStatus;
  version: number;
  channel_class: ChannelClass;
  error: StreamError | null;
  execution: StreamExecution | null;
  created_at: string;
  schedule: StreamSchedule | null;
  max_duration_seconds: number | null;
  stop_after_input_loss_seconds: number | null;
  /** Set when the guard or the input-loss rule stopped the stream; cleared at the next start. */
  auto_stopped?: AutoStop | null;
  /** Platforms the channel pushes to while it runs; absent on records older than simulcast. */
  destinations?: SimulcastDestination[];
  /** Absent on older records: RTMP_PUSH. */
  input_type?: InputType;
  /**
   * SRT_LISTENER streams: the caller URLs with the passphrase (`srt://host:port?passphrase=…`),
   * secrets like rtmp1/rtmp2, null in listings. While the create runs, `PENDING_SRT_PASSPHRASE`
   * and the passphrase (kept for a retried step), until the input exists.
   */
  srt1?: string | null;
  srt2?: string | null;
  /** SRT_LISTENER streams: the Secrets Manager secret holding the passphrase (deleted with the stream). */
  srt_secret_arn?: string | null;
}

/** srt1 before CreateInput answered: the passphrase a retried create step must send again. */
export const PENDING_SRT_PASSPHRASE = 'pending?passphrase=';

/** Defaults of the seed's API documentation. */
export const DEFAULTS = {
  segment_length: 300,
  startover_window_seconds: 3600,
  key_rotation_interval: 60,
  channel_class: 'STANDARD' as ChannelClass,
} as const;

/**
 * Which status each action needs, and which status it moves the stream to while its workflow runs.
 * `update`, `split`, `live` keep the status.
 */
export const ACTION_RULES = {
  start: { from: ['IDLE', 'FAILED'], to: 'STARTING' },
  stop: { from: ['RUNNING', 'FAILED'], to: 'STOPPING' },
  delete: { from: ['IDLE', 'FAILED'], to: 'DELETING' },
  // Any status, once no workflow of the stream runs (the API checks its execution): a stream a cut
  // short run left in a transitional status can always be removed.
  'force-delete': { from: STREAM_STATUSES, to: 'DELETING' },
  'go-live': { from: ['IDLE', 'RUNNING'], to: null },
  'end-live': { from: ['IDLE', 'RUNNING', 'FAILED'], to: null },
  update: { from: ['IDLE', 'RUNNING', 'FAILED'], to: null },
  split: { from: ['IDLE', 'RUNNING', 'STOPPING', 'FAILED'], to: null },
  schedule: { from: ['IDLE', 'RUNNING', 'STARTING'], to: null },
} as const satisfies Record<string, { from: readonly StreamStatus[]; to: StreamStatus | null }>;
export type RuledAction = keyof typeof ACTION_RULES;

/**
 * Every status change a workflow or the API may make. The store refuses any other, so a late or
 * duplicated task cannot move a stream backwards (e.g. a retried "record RUNNING" after a stop).
 */
export const TRANSITIONS: Readonly<Record<StreamStatus, readonly StreamStatus[]>> = {
  CREATING: ['IDLE', 'FAILED', 'DELETING'],
  IDLE: ['STARTING', 'DELETING', 'RUNNING', 'FAILED'],
  STARTING: ['RUNNING', 'IDLE', 'FAILED', 'STOPPING', 'DELETING'],
  RUNNING: ['STOPPING', 'DELETING', 'IDLE', 'FAILED'],
  STOPPING: ['IDLE', 'FAILED', 'DELETING'],
  DELETING: ['FAILED'],
  FAILED: ['STARTING', 'STOPPING', 'DELETING', 'IDLE', 'RUNNING'],
};

export function canTransition(from: StreamStatus, to: StreamStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function isAllowed(action: RuledAction, status: StreamStatus): boolean {
  return (ACTION_RULES[action].from as readonly StreamStatus[]).includes(status);
}

/** Epoch seconds as a string: the seed's time format. */
export function epochString(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

/** Fields a client may change with `POST /streams/{id}`. Ids, endpoints and archives never. */
export const EDITABLE_FIELDS = [
  'name',
  'description',
  'segment_length',
  'startover_window_seconds',
  'key_rotation_interval',
  'max_duration_seconds',
  'stop_after_input_loss_seconds',
  'destinations',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** The stream as the listing shows it: without the stream keys, SRT passphrases or destination keys. */
export type StreamSummary = Omit<StreamRecord, 'rtmp1' | 'rtmp2'> & { rtmp1: null; rtmp2: null };

export function toSummary(record: StreamRecord): StreamSummary {
  return {
    ...record,
    rtmp1: null,
    rtmp2: null,
    ...(record.srt1 !== undefined ? { srt1: null } : {}),
    ...(record.srt2 !== undefined ? { srt2: null } : {}),
    ...(record.destinations
      ? { destinations: record.destinations.map((d) => ({ ...d, stream_key: null })) }
      : {}),
  };
}
