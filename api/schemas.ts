/**
 * Request schemas: the validation and the OpenAPI document are both built from these, so they cannot
 * drift apart. Limits carry their source.
 */
// A namespace import lets esbuild drop what is unused; `{ z }` drags in every locale (bundle 855 KB → 500 KB).
import * as z from 'zod';
import { CHANNEL_CLASSES, DEFAULTS, STREAM_STATUSES } from '../core/stream.js';

/** MediaPackage v1 keeps at most 14 days of startover (MediaPackage quotas). */
const MAX_STARTOVER_SECONDS = 1_209_600;
/** MediaLive's archive `RolloverInterval` is an integer ≥ 1 (API model `__integerMin1`); a day is plenty. */
const MAX_SEGMENT_LENGTH = 86_400;
export const MAX_CLIPS_PER_SPLIT = 100;

const name = z.string().trim().min(1).max(128).describe('Display name of the stream.');
const description = z.string().max(1024).describe('Free text.');
const segmentLength = z
  .number()
  .int()
  .min(1)
  .max(MAX_SEGMENT_LENGTH)
  .describe(
    'Length in seconds of each archive file in S3 (MediaLive RolloverInterval); also the precision of clips.',
  );
const startover = z
  .number()
  .int()
  .min(0)
  .max(MAX_STARTOVER_SECONDS)
  .describe('How far back viewers can rewind, in seconds (MediaPackage StartoverWindowSeconds); 0 disables.');
const keyRotation = z
  .number()
  .int()
  .min(0)
  .max(86_400)
  .describe(
    'Seconds between HLS encryption key rotations. Only accepted when the deployment configures a SPEKE key provider.',
  );
const maxDuration = z
  .number()
  .int()
  .min(60)
  .max(7 * 86_400)
  .describe('Auto-stop guard: a running stream is stopped after this many seconds.');
const inputLoss = z
  .number()
  .int()
  .min(30)
  .max(86_400)
  .describe('Stop a running stream whose input has been lost this many seconds.');

export const createStreamBody = z
  .object({
    name,
    description: description.optional(),
    segment_length: segmentLength.optional(),
    channel_class: z
      .enum(CHANNEL_CLASSES)
      .optional()
      .describe(
        'STANDARD: two pipelines and two RTMP destinations (default); SINGLE_PIPELINE costs about half.',
      ),
    startover_window_seconds: startover.optional(),
    key_rotation_interval: keyRotation.optional(),
    max_duration_seconds: maxDuration.optional(),
    stop_after_input_loss_seconds: inputLoss.optional(),
  })
  .strict();
export type CreateStreamBody = z.infer<typeof createStreamBody>;

/**
 * Only user-editable fields. Clients of the seed send the whole record back: read-only fields are
 * accepted when unchanged and refused when they differ (see `READ_ONLY_FIELDS`).
 */
export const updateStreamBody = z
  .object({
    name: name.optional(),
    description: description.optional(),
    segment_length: segmentLength.optional(),
    startover_window_seconds: startover.optional(),
    key_rotation_interval: keyRotation.nullable().optional(),
    max_duration_seconds: maxDuration.nullable().optional(),
    stop_after_input_loss_seconds: inputLoss.nullable().optional(),
  })
  .strict();
export type UpdateStreamBody = z.infer<typeof updateStreamBody>;

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
] as const;

export const archivePath = z
  .string()
  .min(1)
  .max(512)
  .regex(
    /^(?!\/)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9!_.*'()\-/]+$/,
    'must be a relative S3 key prefix of safe characters',
  )
  .describe(
    'Archive key prefix for this session, inside the archive bucket. Default: YYYY/MM/DD/<id>-<epoch>.',
  );

export const startStreamBody = z
  .object({
    path: archivePath.optional(),
    startover_window_seconds: startover.optional(),
    key_rotation_interval: keyRotation.optional(),
  })
  .strict();
export type StartStreamBody = z.infer<typeof startStreamBody>;

/** Routes that take no body accept an empty object (and nothing else). */
export const emptyBody = z.object({}).strict();

const seconds = z
  .number()
  .min(0)
  .max(10 * 365 * 86_400);
export const splitBody = z
  .object({
    timestamp_list: z
      .array(
        z
          .object({
            start: seconds.describe('Seconds from the start of the session.'),
            end: seconds.describe('Seconds from the start of the session, after start.'),
          })
          .strict()
          .refine((r) => r.end > r.start, { message: 'end must be greater than start', path: ['end'] }),
      )
      .min(1)
      .max(MAX_CLIPS_PER_SPLIT),
    session_id: z.string().min(1).max(64).describe("A key of the stream's archives_path map."),
    name_modifier: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 characters of A-Z, a-z, 0-9, _ and -')
      .optional()
      .describe('Distinguishes the playlists of this call: index_<name_modifier>_<i>.m3u8. Default: a UUID.'),
  })
  .strict();
export type SplitBody = z.infer<typeof splitBody>;

export const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    next_token: z.string().min(1).max(2048).optional(),
  })
  .strict();

/** Each execution costs two Step Functions calls: a handful is what a console shows. */
export const executionsQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(10).default(5) })
  .strict();

export const deleteQuery = z
  .object({
    force: z.enum(['true', 'false']).optional().describe('Stop a running stream first, then delete it.'),
  })
  .strict();

export const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1–128 characters of A-Z, a-z, 0-9, _ . : -');

export const statusEnum = z.enum(STREAM_STATUSES);

export { DEFAULTS };

/** ISO 8601 with a UTC offset (`Z` or `±hh:mm`): a time without one is ambiguous for a live event. */
const instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be ISO 8601 with an offset, e.g. 2026-12-01T14:30:00+01:00',
  )
  .refine((v) => !Number.isNaN(Date.parse(v)), 'is not a real date and time');

export const scheduleBody = z
  .object({
    start_at: instant.describe('When to start the stream (one-time EventBridge Scheduler schedule).'),
    stop_at: instant.optional().describe('When to stop it; after start_at.'),
    path: archivePath.optional(),
    startover_window_seconds: startover.optional(),
    key_rotation_interval: keyRotation.optional(),
  })
  .strict();
export type ScheduleBody = z.infer<typeof scheduleBody>;
