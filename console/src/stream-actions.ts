/**
 * Which buttons a stream offers and what its workflow is doing, from the record alone. The status
 * rules are the API's own (`core/stream.ts`), so the console never offers what the API refuses.
 */
import { isAllowed, type StreamRecord, type StreamStatus } from '../../core/stream.js';

export type ConsoleAction = 'start' | 'stop' | 'go-live' | 'end-live' | 'delete';

export type ActionRecord = Pick<StreamRecord, 'status' | 'cloudfront_associated' | 'execution' | 'error'>;

const TRANSITIONAL: Partial<Record<StreamStatus, string>> = {
  CREATING: 'Creating the channel, input and origin',
  STARTING: 'Starting the channel',
  STOPPING: 'Stopping the channel',
  DELETING: 'Deleting the channel, input and origin',
};

export function availableActions(record: ActionRecord): Record<ConsoleAction, boolean> {
  const { status } = record;
  return {
    start: isAllowed('start', status),
    stop: isAllowed('stop', status),
    'go-live': isAllowed('go-live', status) && !record.cloudfront_associated,
    'end-live': isAllowed('end-live', status) && record.cloudfront_associated,
    // A running stream can be deleted too: the API stops it first when asked with force=true. While
    // a status is transitional a workflow normally runs and the API refuses; a stream stuck there
    // (no workflow running) is deleted with the API's force=true, which the README describes.
    delete: isAllowed('delete', status) || (isAllowed('force-delete', status) && !(status in TRANSITIONAL)),
  };
}

/** Deleting a running stream needs `force=true`. */
export function deleteNeedsForce(record: ActionRecord): boolean {
  return !isAllowed('delete', record.status) && isAllowed('force-delete', record.status);
}

export interface WorkflowProgress {
  /** A workflow of this stream is running now. */
  running: boolean;
  /** What it does, for people. */
  text: string;
  /** Its execution name (Step Functions console), when known. */
  execution: string | null;
}

/**
 * Lifecycle workflows show in the status (CREATING, STARTING...). Going live and ending it keep the
 * status: they are running while the CDN association has not flipped and no failure of theirs was
 * recorded after they started.
 */
export function workflowProgress(record: ActionRecord): WorkflowProgress {
  const execution = record.execution;
  const name = execution?.name ?? null;
  const transitional = TRANSITIONAL[record.status];
  if (transitional) return { running: true, text: transitional, execution: name };
  if (execution && (execution.action === 'go-live' || execution.action === 'end-live')) {
    const wanted = execution.action === 'go-live';
    const failedSince =
      record.error?.action === execution.action &&
      Date.parse(record.error.at) >= Date.parse(execution.started_at);
    if (record.cloudfront_associated !== wanted && !failedSince) {
      return {
        running: true,
        text: wanted ? 'Putting the stream on the CDN' : 'Taking the stream off the CDN',
        execution: name,
      };
    }
  }
  return { running: false, text: '', execution: name };
}
