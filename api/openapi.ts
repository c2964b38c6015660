/**
 * OpenAPI 3.1 document, built from the route table and the request schemas the API validates with.
 * `npm run openapi` writes it to docs/openapi.json; a test keeps the file in step.
 */
import { CHANNEL_CLASSES, STREAM_STATUSES } from '../core/stream.js';
import { ROUTES, type Route } from './routes.js';
import { IDEMPOTENCY_KEY_PATTERN } from './schemas.js';
import type { Json } from './validation.js';

const nullable = (type: string, description: string): Json => ({ type: [type, 'null'], description });

const streamSchema: Json = {
  type: 'object',
  description: 'A stream. Fields of the seed API keep their names and meaning.',
  properties: {
    id: { type: 'string', pattern: '^[0-9A-F]{16}$' },
    name: { type: 'string' },
    description: { type: 'string' },
    rtmp1: nullable('string', 'RTMP push URL with the stream key (secret). Null in listings.'),
    rtmp2: nullable('string', 'Second RTMP push URL (STANDARD channels). Null in listings.'),
    viewer_endpoint: nullable('string', 'MediaPackage HLS URL.'),
    viewer_endpoint_cloudfront: nullable('string', 'HLS URL on the live CloudFront domain, when live.'),
    archives_path: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Session id → s3://bucket/prefix of its archive.',
    },
    last_update: { type: 'string', description: 'Epoch seconds.' },
    last_started: nullable('string', 'Epoch seconds.'),
    last_stopped: nullable('string', 'Epoch seconds.'),
    started: { type: 'boolean' },
    current_session_id: nullable('string', 'Session of the current or last start.'),
    live_channel_id: nullable('string', 'MediaLive channel id.'),
    live_input_id: nullable('string', 'MediaLive input id.'),
    package_endpoint_id: nullable('string', 'MediaPackage origin endpoint id.'),
    package_channel_id: nullable('string', 'MediaPackage channel id.'),
    segment_length: { type: 'integer' },
    startover_window_seconds: { type: 'integer' },
    key_rotation_interval: nullable('integer', 'Null when HLS encryption is not configured.'),
    cloudfront_associated: { type: 'boolean' },
    status: { enum: [...STREAM_STATUSES] },
    version: { type: 'integer', description: 'Increases with every change (optimistic locking).' },
    channel_class: { enum: [...CHANNEL_CLASSES] },
    error: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            action: { type: 'string' },
            at: { type: 'string', format: 'date-time' },
          },
        },
      ],
      description: 'Why the last workflow failed.',
    },
    execution: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: {
            action: { type: 'string' },
            name: { type: 'string' },
            arn: { type: 'string' },
            started_at: { type: 'string', format: 'date-time' },
          },
        },
      ],
      description: 'The latest lifecycle execution (Step Functions).',
    },
    created_at: { type: 'string', format: 'date-time' },
    max_duration_seconds: nullable('integer', 'Auto-stop guard.'),
    stop_after_input_loss_seconds: nullable('integer', 'Stop after this long without input.'),
  },
  required: ['id', 'name', 'status', 'version'],
};

const sessionSchema: Json = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    prefix: { type: 'string' },
    uri: { type: 'string' },
    started_at: { type: 'string', format: 'date-time' },
    stopped_at: { type: ['string', 'null'], format: 'date-time' },
    segment_length: { type: 'integer' },
    channel_class: { enum: [...CHANNEL_CLASSES] },
  },
};

const splitSchema: Json = {
  type: 'object',
  properties: {
    indexes: {
      type: 'array',
      items: { type: 'string' },
      description: 'S3 URIs of the playlists (seed field).',
    },
    clips: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          clip_id: {
            type: ['string', 'null'],
            description:
              'The clip record (GET /streams/{id}/clips/{clip_id}); null when nothing was written.',
          },
          playback_url: { type: ['string', 'null'], description: 'Signed HLS link of the clip.' },
          instant: { $ref: '#/components/schemas/InstantUrls' },
          index: { type: 'string' },
          start: { type: 'number' },
          end: { type: 'number' },
          covered_start: { type: ['number', 'null'] },
          covered_end: { type: ['number', 'null'] },
          segments: { type: 'integer' },
          missing: { type: 'array', items: { type: 'object' } },
        },
      },
    },
  },
};

const range: Json = {
  type: 'object',
  properties: { start: { type: 'number' }, end: { type: 'number' } },
  description: 'Seconds from the start of the session.',
};

const instantSchema: Json = {
  oneOf: [
    { type: 'null' },
    {
      type: 'object',
      description:
        "Time-shifted URLs on the live origin (and CDN) while the range is in the stream's startover window: no copy, usable at once.",
      properties: {
        origin: { type: 'string' },
        cdn: { type: ['string', 'null'] },
        expires_at: { type: 'string', format: 'date-time' },
      },
    },
  ],
};

const clipSchema: Json = {
  type: 'object',
  description: 'A clip of a recording session, written by POST /streams/{id}/split.',
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f]{20}$' },
    stream_id: { type: 'string' },
    session_id: { type: 'string' },
    name: { type: 'string' },
    requested: range,
    covered: range,
    missing: { type: 'array', items: range },
    not_available_yet: { oneOf: [{ type: 'null' }, range] },
    created_at: { type: 'string', format: 'date-time' },
    session_started_at: { type: 'string', format: 'date-time' },
    segment_length: { type: 'integer' },
    playlist: {
      type: 'object',
      properties: { key: { type: 'string' }, uri: { type: 'string' }, segments: { type: 'integer' } },
    },
    playback_url: { type: 'string', description: 'Plays without credentials until playback_url_expires_at.' },
    playback_url_expires_at: { type: 'string', format: 'date-time' },
    instant: { $ref: '#/components/schemas/InstantUrls' },
    exports: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          status: { enum: ['SUBMITTED', 'PROGRESSING', 'COMPLETE', 'ERROR'] },
          key: { type: 'string' },
          range: { ...range, description: 'What the MP4 holds: the requested range, within the playlist.' },
          requested_at: { type: 'string', format: 'date-time' },
          finished_at: { type: ['string', 'null'], format: 'date-time' },
          execution: { type: ['string', 'null'] },
          job_id: { type: ['string', 'null'] },
          duration_ms: { type: ['integer', 'null'] },
          error: { type: ['string', 'null'] },
          download_url: { type: ['string', 'null'], description: 'Presigned GET of the MP4 (COMPLETE).' },
        },
      },
    },
  },
  required: ['id', 'stream_id', 'session_id', 'requested', 'covered', 'playback_url', 'exports'],
};

const errorSchema: Json = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        status: { type: 'string', description: 'Current stream status (409).' },
        details: {
          type: 'array',
          items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' } } },
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

function successSchema(route: Route): Json {
  switch (route.answers) {
    case 'stream':
      return { $ref: '#/components/schemas/Stream' };
    case 'streamPage':
      return { type: 'array', items: { $ref: '#/components/schemas/Stream' } };
    case 'sessionPage':
      return { type: 'array', items: { $ref: '#/components/schemas/Session' } };
    case 'split':
      return { $ref: '#/components/schemas/SplitResult' };
    case 'clip':
      return { $ref: '#/components/schemas/Clip' };
    case 'clipPage':
      return { type: 'array', items: { $ref: '#/components/schemas/Clip' } };
    case 'executions':
      return {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            action: { type: 'string' },
            name: { type: 'string' },
            arn: { type: 'string' },
            started_at: { type: 'string', format: 'date-time' },
            status: { type: 'string' },
            stopped_at: { type: ['string', 'null'], format: 'date-time' },
            error: { type: ['string', 'null'] },
            cause: { type: ['string', 'null'] },
            steps: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  status: { enum: ['RUNNING', 'SUCCEEDED', 'FAILED'] },
                  entered_at: { type: 'string', format: 'date-time' },
                  exited_at: { type: ['string', 'null'], format: 'date-time' },
                },
              },
            },
          },
        },
      };
    case 'health':
      return { $ref: '#/components/schemas/StreamHealth' };
    case 'jpeg':
      return { type: 'string', contentMediaType: 'image/jpeg' };
    default:
      return { type: 'object' };
  }
}

const alertSchema: Json = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    pipeline: { type: 'integer' },
    type: { type: 'string', description: "MediaLive's alert type." },
    message: { type: 'string' },
    set_at: { type: 'string', format: 'date-time' },
    cleared_at: { type: ['string', 'null'], format: 'date-time', description: 'Null while active.' },
  },
};

const healthSchema: Json = {
  type: 'object',
  properties: {
    stream_id: { type: 'string' },
    status: { enum: [...STREAM_STATUSES] },
    channel_state: nullable('string', "MediaLive's channel state."),
    checked_at: { type: 'string', format: 'date-time' },
    light: {
      enum: ['green', 'amber', 'red', 'off'],
      description:
        'green: all well; amber: an alert, a pipeline without input, dropped frames or a failing destination; red: no input at all or output older than 3 segments; off: not running.',
    },
    output: {
      type: 'object',
      properties: {
        newest_segment_at: { type: ['string', 'null'], format: 'date-time' },
        newest_segment_age_seconds: nullable('number', 'Age of the end of the newest segment at the origin.'),
        viewer_requests_last_minute: nullable('number', 'MediaPackage EgressRequestCount.'),
      },
    },
    pipelines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          pipeline: { type: 'integer' },
          input: {
            type: 'object',
            properties: {
              connected: { type: ['boolean', 'null'] },
              since: { type: ['string', 'null'], format: 'date-time' },
              video: {
                type: 'object',
                properties: {
                  frame_rate: { type: ['number', 'null'] },
                  bitrate: nullable('integer', 'Bits per second received (MediaLive NetworkIn).'),
                  resolution: nullable('string', 'MediaLive publishes no input-resolution metric: null.'),
                },
              },
              audio: { type: 'object', properties: { detected: { type: ['boolean', 'null'] } } },
            },
          },
          active_alerts: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                type: { type: 'string' },
                message: { type: 'string' },
                since: { type: 'string', format: 'date-time' },
              },
            },
          },
          last_minute: {
            type: 'object',
            properties: {
              dropped_frames: { type: ['number', 'null'] },
              output_4xx_errors: { type: ['number', 'null'] },
              output_5xx_errors: { type: ['number', 'null'] },
            },
          },
          simulcast: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                state: { enum: ['ACTIVE', 'FAILING', 'IDLE'] },
                message: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
    session_alerts: { type: 'array', items: alertSchema },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(route: Route): Json {
  const parameters: Json[] = [];
  if (route.path.includes('{id}')) {
    parameters.push({
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^[0-9A-F]{16}$' },
    });
  }
  if (route.path.includes('{clip_id}')) {
    parameters.push({
      name: 'clip_id',
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^[0-9a-f]{20}$' },
    });
  }
  for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
    parameters.push({ name, in: 'query', required: false, schema: field.json() });
  }
  if (route.method === 'POST' && route.path.startsWith('/streams')) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'A retried request with the same key returns the first answer and starts nothing new (24 h).',
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
    });
  }
  const op: Json = {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.path === '/openapi.json' ? {} : { tags: ['streams'] }),
    parameters,
    ...(route.auth === 'signature' ? { security: [] } : {}),
    responses: {
      [String(route.success)]: {
        description: route.success === 202 ? 'Accepted: the workflow is running' : 'OK',
        content:
          route.answers === 'playlist'
            ? { 'application/vnd.apple.mpegurl': { schema: { type: 'string' } } }
            : {
                [route.answers === 'jpeg' ? 'image/jpeg' : 'application/json']: {
                  schema: successSchema(route),
                },
              },
      },
      '400': errorResponse('Invalid request: which field and why'),
      '403':
        route.auth === 'signature'
          ? errorResponse('The link is not signed by this API, or it has expired')
          : { description: 'Not authenticated (IAM or Cognito)' },
      '404': errorResponse('Unknown stream, session or clip'),
      '409': errorResponse('The stream status does not allow this action'),
      '413': errorResponse('Body over 64 KiB'),
      '415': errorResponse('Body not application/json'),
    },
  };
  if (route.body) {
    op.requestBody = { required: false, content: { 'application/json': { schema: route.body.json() } } };
  }
  return op;
}

export function buildOpenApi(): Json {
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    (paths[route.path] as Json)[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Live streaming workflow API',
      version: '1.0.0',
      description:
        'Create, start, stop, delete, put on the CDN and clip live streams. Lifecycle actions answer 202 and run a Step Functions workflow; poll GET /streams/{id} for the status.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ sigv4: [] }],
    paths,
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS SigV4 (IAM), or a Cognito token, or in local mode `Bearer <API_TOKEN>`.',
        },
      },
      schemas: {
        Stream: streamSchema,
        Session: sessionSchema,
        SplitResult: splitSchema,
        Clip: clipSchema,
        InstantUrls: instantSchema,
        Error: errorSchema,
        StreamHealth: healthSchema,
      },
    },
  };
}
