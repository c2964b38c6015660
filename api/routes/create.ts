/** POST /streams: writes the CREATING record, then starts the CreateStream workflow. */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_DESTINATION_RENDITION,
  DEFAULTS,
  epochString,
  type StreamRecord,
} from '../../core/stream.js';
import { executionName } from '../../core/workflows.js';
import { requireEncryption } from '../deployment.js';
import { HttpError } from '../http.js';
import { rememberExecution, workflowInput } from '../launch.js';
import type { noQuery, Reply, Request, Services } from '../route.js';
import type { createStreamBody } from '../schemas.js';

export async function createStream(
  { body, requestId }: Request<typeof createStreamBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  const { store, workflows, logger, config, now } = services;
  requireEncryption(config, body.key_rotation_interval);
  const at = now();
  const id = randomBytes(8).toString('hex').toUpperCase();
  logger.appendKeys({ stream_id: id });
  const name = executionName(id, 'create', at, randomBytes(3).toString('hex'));
  const record: StreamRecord = {
    id,
    name: body.name,
    description: body.description ?? '',
    rtmp1: null,
    rtmp2: null,
    viewer_endpoint: null,
    viewer_endpoint_cloudfront: null,
    archives_path: {},
    last_update: epochString(at),
    last_started: null,
    last_stopped: null,
    started: false,
    current_session_id: null,
    live_channel_id: null,
    live_input_id: null,
    package_endpoint_id: null,
    package_channel_id: null,
    segment_length: body.segment_length ?? DEFAULTS.segment_length,
    startover_window_seconds: body.startover_window_seconds ?? DEFAULTS.startover_window_seconds,
    key_rotation_interval: config.encryption
      ? (body.key_rotation_interval ?? DEFAULTS.key_rotation_interval)
      : null,
    cloudfront_associated: false,
    status: 'CREATING',
    version: 0,
    channel_class: body.channel_class ?? DEFAULTS.channel_class,
    error: null,
    execution: {
      action: 'create',
      name,
      arn: workflows.executionArn('create', name),
      started_at: at.toISOString(),
    },
    created_at: at.toISOString(),
    schedule: null,
    max_duration_seconds: body.max_duration_seconds ?? config.defaultMaxDurationSeconds,
    stop_after_input_loss_seconds: body.stop_after_input_loss_seconds ?? null,
    destinations: (body.destinations ?? []).map((d) => ({
      name: d.name,
      url: d.url,
      backup_url: d.backup_url ?? null,
      stream_key: d.stream_key,
      rendition: d.rendition ?? DEFAULT_DESTINATION_RENDITION,
    })),
    input_type: body.input_type ?? 'RTMP_PUSH',
  };
  await store.create(record);
  try {
    await workflows.start('create', name, workflowInput(services, id, 'create', {}, requestId));
  } catch (error) {
    logger.error('could not start the create workflow', { error: error });
    await store
      .delete(record)
      .catch((e: unknown) => logger.error('could not remove the record', { error: e }));
    throw new HttpError(
      503,
      'WorkflowStartFailed',
      'could not start the CreateStream workflow; nothing was created, retry later',
    );
  }
  await rememberExecution(services, id, record.execution);
  logger.info('stream creation started', { execution: name, destinations: record.destinations?.length ?? 0 });
  return { body: record };
}
