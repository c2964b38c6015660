/**
 * POST /streams/{id}/clips/{clip_id}/exports: an MP4 (H.264/AAC, the archive's quality) of exactly
 * the clip's requested range, to the frame. Records the export SUBMITTED on the clip, then starts
 * the ExportClip workflow (a MediaConvert job; locally FFmpeg behind the same state machine) and
 * answers 202 with the clip; its export's status follows on the clip record and on the bus.
 * A clip with `missing` parts is refused (409 ClipHasGaps): its playlist skips them, so no timecode
 * on it names the requested frames. A clip split before its end was archived exports what its
 * playlist holds (`range` says which).
 */
import { randomBytes } from 'node:crypto';
import { type ClipExport, exportKey, newTimeId } from '../../core/clip.js';
import { ClipHasGaps } from '../../core/errors.js';
import { exportRange } from '../../core/export-job.js';
import { executionName } from '../../core/workflows.js';
import { clipAnswer } from '../clip-links.js';
import { HttpError } from '../http.js';
import type { ClipRequest, noQuery, Reply, Services } from '../route.js';
import type { emptyBody } from '../schemas.js';
import { findClip } from './clips.js';

/**
 * Exports a clip keeps on its record (each a few hundred bytes): a bound that keeps the clip item
 * far under DynamoDB's 400 KB item size ("Service, account, and table quotas in Amazon DynamoDB")
 * and stops a client from starting job after job of the same range. A new split of the range gives
 * a new clip to export.
 */
export const MAX_EXPORTS_PER_CLIP = 10;

export async function exportClip(
  { id, clipId, requestId, baseUrl }: ClipRequest<typeof emptyBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  const { workflows, clips, logger } = services;
  const clip = await findClip(services, id, clipId);
  if ((clip.missing ?? []).length > 0) throw new ClipHasGaps(clip.id);
  if (Object.keys(clip.exports ?? {}).length >= MAX_EXPORTS_PER_CLIP)
    throw new HttpError(
      409,
      'TooManyExports',
      `clip ${clip.id} has ${MAX_EXPORTS_PER_CLIP} exports already, the most a clip keeps; download one of them, or split the range again for a new clip`,
    );
  const now = services.now();
  const exportId = newTimeId(now);
  const name = executionName(id, 'export', now, randomBytes(3).toString('hex'));
  const execution = workflows.exportExecutionArn(name);
  if (!execution) throw new HttpError(503, 'ExportUnavailable', 'this deployment has no ExportClip workflow');
  const item: ClipExport = {
    id: exportId,
    status: 'SUBMITTED',
    key: exportKey(id, clip.id, exportId),
    range: exportRange(clip),
    requested_at: now.toISOString(),
    finished_at: null,
    execution,
    job_id: null,
    duration_ms: null,
    error: null,
  };
  await clips.putExport(clip, item);
  try {
    await workflows.startExport(name, {
      stream_id: id,
      clip_id: clip.id,
      export_id: exportId,
      request_id: requestId,
    });
  } catch (error) {
    logger.error('could not start the export workflow', { error: error });
    const failed = { ...item, status: 'ERROR' as const, finished_at: services.now().toISOString() };
    await clips.putExport(clip, { ...failed, error: 'the export workflow could not start; retry' });
    throw new HttpError(503, 'ExportFailed', 'could not start the export workflow; retry later');
  }
  const stream = await services.store.find(id);
  const updated = { ...clip, exports: { ...clip.exports, [exportId]: item } };
  return { body: await clipAnswer(updated, { baseUrl, stream, archive: services.archive, now }) };
}
