/**
 * Request schemas: the validation and the OpenAPI document are both built from these, so they cannot
 * drift apart. Limits carry their source.
 */
import { MAX_ARCHIVE_PATH_LENGTH, pathProblem } from '../core/archive-naming.js';
import {
  CHANNEL_CLASSES,
  DESTINATION_RENDITIONS,
  type EditableField,
  INPUT_TYPES,
  MAX_DESTINATIONS,
} from '../core/stream.js';
import {
  array,
  type Infer,
  nullable,
  number,
  object,
  oneOf,
  optional,
  type Schema,
  string,
} from './validation.js';

/** MediaPackage v1 keeps at most 14 days of startover (MediaPackage quotas). */
const MAX_STARTOVER_SECONDS = 1_209_600;
/** MediaLive's archive `RolloverInterval` is an integer ≥ 1 (API model `__integerMin1`); a day is plenty. */
const MAX_SEGMENT_LENGTH = 86_400;
export const MAX_CLIPS_PER_SPLIT = 100;

const name = string({ trim: true, min: 1, max: 128, description: 'Display name of the stream.' });
const description = string({ max: 1024, description: 'Free text.' });
const segmentLength = number({
  integer: true,
  min: 1,
  max: MAX_SEGMENT_LENGTH,
  description:
    'Length in seconds of each archive file in S3 (MediaLive RolloverInterval); also the precision of clips.',
});
const startover = number({
  integer: true,
  min: 0,
  max: MAX_STARTOVER_SECONDS,
  description:
    'How far back viewers can rewind, in seconds (MediaPackage StartoverWindowSeconds); 0 disables.',
});
const keyRotation = number({
  integer: true,
  min: 0,
  max: 86_400,
  description:
    'Seconds between HLS encryption key rotations. Only accepted when the deployment configures a SPEKE key provider.',
});
const maxDuration = number({
  integer: true,
  min: 60,
  max: 7 * 86_400,
  description: 'Auto-stop guard: a running stream is stopped after this many seconds.',
});
const inputLoss = number({
  integer: true,
  min: 30,
  max: 86_400,
  description: 'Stop a running stream whose input has been lost this many seconds.',
});

/**
 * An RTMP(S) ingest URL without credentials: a port of 1–65535, then printable ASCII without white
 * space or `@` (a URL carries others percent-encoded; a control character cannot reach FFmpeg's
 * arguments at all). The stream key goes apart.
 */
const RTMP_URL =
  /^rtmps?:\/\/[A-Za-z0-9.-]+(:([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))?\/[\x21-\x3F\x41-\x7E]*$/;
/** What a platform issues as a stream key: printable ASCII; it ends the push URL. */
const streamKey = () =>
  string({
    pattern: /^[\x21-\x7E]{1,256}$/,
    patternReason: 'must be 1–256 printable ASCII characters without white space',
  });
const rtmpUrl = (description: string) =>
  string({
    max: 1024,
    pattern: RTMP_URL,
    patternReason:
      'must be an rtmp:// or rtmps:// URL with a host, a port of 1–65535 if any, and a path of printable ASCII, without the stream key or a user',
    description,
  });
const destination = (keyRequired: boolean) =>
  object({
    name: string({
      pattern: /^[A-Za-z0-9][A-Za-z0-9 _-]{0,31}$/,
      patternReason:
        'must be 1–32 characters of A-Z, a-z, 0-9, space, _ and -, starting with a letter or digit',
      description: 'Names the destination in health and in the channel (its RTMP output).',
    }),
    url: rtmpUrl("The platform's ingest URL, e.g. rtmp://a.rtmp.youtube.com/live2."),
    backup_url: optional(
      nullable(rtmpUrl('Where pipeline 2 of a STANDARD channel pushes (the platform backup ingest).')),
    ),
    stream_key: keyRequired ? streamKey() : nullable(streamKey()),
    rendition: optional(oneOf(DESTINATION_RENDITIONS), 'The ladder rendition pushed. Default: 720p.'),
  });
const destinationList = (keyRequired: boolean) => {
  const items = array(destination(keyRequired), { max: MAX_DESTINATIONS });
  return {
    ...items,
    parse(
      value: unknown,
      path: Array<string | number>,
      issues: Array<{ path: Array<string | number>; reason: string }>,
    ) {
      const parsed = items.parse(value, path, issues);
      const names = parsed.map((d) => d.name?.toLowerCase());
      names.forEach((name, i) => {
        if (name !== undefined && names.indexOf(name) !== i)
          issues.push({ path: [...path, i, 'name'], reason: 'is used by another destination' });
      });
      return parsed;
    },
    json: () => ({
      ...items.json(),
      description: `Platforms the channel pushes to (simulcast), at most ${MAX_DESTINATIONS}. Stream keys are secrets: null in listings.`,
    }),
  };
};

export const createStreamBody = object({
  name,
  description: optional(description),
  segment_length: optional(segmentLength),
  channel_class: optional(
    oneOf(CHANNEL_CLASSES),
    'STANDARD: two pipelines and two RTMP destinations (default); SINGLE_PIPELINE costs about half.',
  ),
  startover_window_seconds: optional(startover),
  key_rotation_interval: optional(keyRotation),
  max_duration_seconds: optional(maxDuration),
  stop_after_input_loss_seconds: optional(inputLoss),
  destinations: optional(destinationList(true)),
  input_type: optional(
    oneOf(INPUT_TYPES),
    'RTMP_PUSH (default): push RTMP to rtmp1/rtmp2. SRT_LISTENER: an AES-encrypted SRT listener; call srt1/srt2 (passphrase included).',
  ),
});
export type CreateStreamBody = Infer<typeof createStreamBody>;

/** Record fields a client may echo back in `POST /streams/{id}` but never change. */
export const READ_ONLY_FIELDS = [
  'id',
  'rtmp1',
  'rtmp2',
  'viewer_endpoint',
  'viewer_endpoint_cloudfront',
  'archives_path',
  'last_update',
  'last_started',
  'last_stopped',
  'started',
  'current_session_id',
  'live_channel_id',
  'live_input_id',
  'package_endpoint_id',
  'package_channel_id',
  'cloudfront_associated',
  'status',
  'version',
  'channel_class',
  'error',
  'execution',
  'created_at',
  'schedule',
  'auto_stopped',
  'input_type',
  'srt1',
  'srt2',
  'srt_secret_arn',
] as const;
export type ReadOnlyField = (typeof READ_ONLY_FIELDS)[number];

/**
 * Only user-editable fields. Clients of the seed send the whole record back: read-only fields are
 * taken as sent, and the update refuses those that differ from the record (`is read-only`).
 */
export const updateStreamBody = object(
  {
    name: optional(name),
    description: optional(description),
    segment_length: optional(segmentLength),
    startover_window_seconds: optional(startover),
    key_rotation_interval: optional(nullable(keyRotation)),
    max_duration_seconds: optional(nullable(maxDuration)),
    stop_after_input_loss_seconds: optional(nullable(inputLoss)),
    destinations: optional(
      nullable(destinationList(false)),
      'Replaces the destinations (only while IDLE: MediaLive changes outputs of idle channels only). A null stream_key keeps the key of the destination of that name.',
    ),
  } satisfies Record<EditableField, Schema<unknown>>,
  { alsoAccepts: READ_ONLY_FIELDS, notAnObjectReason: 'must be a JSON object' },
);
export type UpdateStreamBody = Infer<typeof updateStreamBody>;

/**
 * What `pathProblem` (core/archive-naming.ts, the check the start task applies too) accepts, as a
 * pattern for the OpenAPI document: relative, S3-safe characters, no empty, `.` or `..` segment.
 */
export const ARCHIVE_PATH_PATTERN = "^(?!/)(?!.*\\.\\.)(?!.*//)(?!(.*/)?\\.(/|$))[A-Za-z0-9!_.*'()\\-/]+$";

export const archivePath = string({
  check: pathProblem,
  documents: { minLength: 1, maxLength: MAX_ARCHIVE_PATH_LENGTH, pattern: ARCHIVE_PATH_PATTERN },
  description:
    'Archive key prefix for this session, inside the archive bucket. Default: YYYY/MM/DD/<id>-<epoch>.',
});

export const startStreamBody = object({
  path: optional(archivePath),
  startover_window_seconds: optional(startover),
  key_rotation_interval: optional(keyRotation),
});
export type StartStreamBody = Infer<typeof startStreamBody>;

/** Routes that take no options accept an empty object (and nothing else). */
export const emptyBody = object({});

const seconds = (description: string) => number({ min: 0, max: 10 * 365 * 86_400, description });

export const splitBody = object({
  timestamp_list: array(
    object(
      {
        start: seconds('Seconds from the start of the session.'),
        end: seconds('Seconds from the start of the session, after start.'),
      },
      { refine: { check: (r) => r.end > r.start, field: 'end', reason: 'end must be greater than start' } },
    ),
    { min: 1, max: MAX_CLIPS_PER_SPLIT },
  ),
  session_id: string({ min: 1, max: 64, description: "A key of the stream's archives_path map." }),
  name_modifier: optional(
    string({
      pattern: /^[A-Za-z0-9_-]{1,64}$/,
      patternReason: 'must be 1–64 characters of A-Z, a-z, 0-9, _ and -',
    }),
    'Distinguishes the playlists of this call: index_<name_modifier>_<i>.m3u8. Default: a UUID.',
  ),
});
export type SplitBody = Infer<typeof splitBody>;

export const listQuery = object({
  limit: number({ coerce: true, integer: true, min: 1, max: 100, default: 25 }),
  next_token: optional(string({ min: 1, max: 2048 })),
});

/** Each execution costs two Step Functions calls: a handful is what a console shows. */
export const executionsQuery = object({
  limit: number({ coerce: true, integer: true, min: 1, max: 10, default: 5 }),
});

export const deleteQuery = object({
  force: optional(oneOf(['true', 'false']), 'Stop a running stream first, then delete it.'),
});

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const idempotencyKey = string({
  pattern: IDEMPOTENCY_KEY_PATTERN,
  patternReason: 'must be 1–128 characters of A-Z, a-z, 0-9, _ . : -',
});

/** ISO 8601 with a UTC offset (`Z` or `±hh:mm`): a time without one is ambiguous for a live event. */
const instant = (description?: string) =>
  string({
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    patternReason: 'must be ISO 8601 with an offset, e.g. 2026-12-01T14:30:00+01:00',
    check: (v) => (Number.isNaN(Date.parse(v)) ? 'is not a real date and time' : undefined),
    ...(description !== undefined ? { description } : {}),
  });

export const scheduleBody = object({
  start_at: instant('When to start the stream (one-time EventBridge Scheduler schedule).'),
  stop_at: optional(instant(), 'When to stop it; after start_at.'),
  path: optional(archivePath),
  startover_window_seconds: optional(startover),
  key_rotation_interval: optional(keyRotation),
});
export type ScheduleBody = Infer<typeof scheduleBody>;

export const clipsQuery = object({
  limit: number({ coerce: true, integer: true, min: 1, max: 100, default: 25 }),
  next_token: optional(string({ min: 1, max: 2048 })),
  session_id: optional(string({ min: 1, max: 64 }), 'Only the clips of this recording session.'),
});

/** What a signed playback link carries (api/clip-links.ts). */
export const playlistQuery = object({
  expires: string({
    pattern: /^\d{1,12}$/,
    patternReason: 'must be epoch seconds',
    description: 'When the link stops working (epoch seconds).',
  }),
  signature: string({
    pattern: /^[0-9a-f]{64}$/,
    patternReason: 'must be the 64 hex digits the API signed',
    description: 'HMAC-SHA256 the API made for this clip and expiry.',
  }),
});

/** `GET /streams/{id}/thumbnail?pipeline=`: 0, or 1 on a STANDARD channel. */
export const thumbnailQuery = object({
  pipeline: number({
    coerce: true,
    integer: true,
    min: 0,
    max: 1,
    default: 0,
    description: 'The pipeline whose picture to get: 0, or 1 on a STANDARD channel.',
  }),
});
