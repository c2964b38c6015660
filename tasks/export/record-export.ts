/**
 * ExportClip's last step: the export COMPLETE with its job and duration, or ERROR with why (the
 * machine's Catch). A clip deleted meanwhile has nothing left to record: not an error.
 */
import type { ClipExport } from '../../core/clip.js';
import type { ClipStore } from '../../core/clip-store.js';
import { ClipNotFound } from '../../core/errors.js';
import * as clients from '../clients.js';
import type { RecordExportInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export async function recordExport(
  deps: { clips: ClipStore; now?: () => Date },
  input: RecordExportInput,
): Promise<{ status: ClipExport['status'] | 'CLIP_GONE' }> {
  const clip = await deps.clips.find(input.stream_id, input.clip_id);
  const item = clip?.exports?.[input.export_id];
  if (!clip || !item) return { status: 'CLIP_GONE' };
  const finished_at = (deps.now?.() ?? new Date()).toISOString();
  const duration = input.job?.output_group_details?.[0]?.OutputDetails?.[0]?.DurationInMs;
  const next: ClipExport = input.job
    ? {
        ...item,
        status: 'COMPLETE',
        finished_at,
        job_id: input.job.job_id,
        duration_ms: typeof duration === 'number' ? duration : null,
        error: null,
      }
    : { ...item, status: 'ERROR', finished_at, error: describe(input.error) };
  try {
    await deps.clips.putExport(clip, next);
  } catch (error) {
    if (error instanceof ClipNotFound) return { status: 'CLIP_GONE' };
    throw error;
  }
  return { status: next.status };
}

/** A readable reason from Step Functions' error and cause (a Lambda's JSON cause, or a job's). */
function describe(error: RecordExportInput['error']): string {
  const name = error?.Error ?? 'ExportFailed';
  let message = error?.Cause ?? '';
  try {
    const cause = JSON.parse(message) as {
      errorMessage?: string;
      ErrorMessage?: string;
      Job?: { ErrorMessage?: string };
    };
    message = cause.errorMessage ?? cause.ErrorMessage ?? cause.Job?.ErrorMessage ?? message;
  } catch {}
  return `${name}: ${message}`.slice(0, 1000);
}

export const handler = taskHandler('record-export', (input: RecordExportInput) =>
  recordExport({ clips: clients.clips() }, input),
);
