/**
 * The one place that names the lifecycle workflows: the API reads their ARNs from these environment
 * variables, the CDK app sets them, local mode registers machines under these names.
 */
import type { LifecycleAction } from './stream.js';

export const WORKFLOWS = {
  create: { env: 'CREATE_STREAM_STATE_MACHINE_ARN', machineName: 'CreateStream' },
  start: { env: 'START_STREAM_STATE_MACHINE_ARN', machineName: 'StartStream' },
  stop: { env: 'STOP_STREAM_STATE_MACHINE_ARN', machineName: 'StopStream' },
  delete: { env: 'DELETE_STREAM_STATE_MACHINE_ARN', machineName: 'DeleteStream' },
  'go-live': { env: 'GO_LIVE_STATE_MACHINE_ARN', machineName: 'GoLive' },
  'end-live': { env: 'END_LIVE_STATE_MACHINE_ARN', machineName: 'EndLive' },
} as const satisfies Record<LifecycleAction, { env: string; machineName: string }>;

export const SPLIT_WORKFLOW = {
  env: 'SPLIT_ARCHIVE_STATE_MACHINE_ARN',
  machineName: 'SplitArchive',
} as const;

export const EXPORT_WORKFLOW = {
  env: 'EXPORT_CLIP_STATE_MACHINE_ARN',
  machineName: 'ExportClip',
} as const;

/** What the API hands an ExportClip execution: which export of which clip. */
export interface ExportInput {
  stream_id: string;
  clip_id: string;
  export_id: string;
  request_id: string;
}

/** The input every lifecycle execution receives. */
export interface WorkflowInput {
  stream_id: string;
  action: LifecycleAction;
  /** The request's options (start options, force flag...). */
  options: Record<string, unknown>;
  requested_at: string;
  request_id: string;
}

/**
 * Execution names are unique per request (Step Functions keeps names 90 days and StartExecution is
 * idempotent by name) and readable in the console: `<stream>-<action>-<UTC time>-<random>`.
 * Allowed: 1–80 characters of `[0-9A-Za-z_-]`.
 */
export function executionName(streamId: string, action: string, at: Date, random: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${streamId}-${action}-${stamp}-${random}`.replace(/[^0-9A-Za-z_-]/g, '-').slice(0, 80);
}
