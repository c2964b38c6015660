/**
 * ExportClip step: the MediaConvert job settings of one export of a clip (core/export-job.ts), the
 * export recorded PROGRESSING. Its output is the CreateJob request the next state sends.
 */
import type { ClipStore } from '../../core/clip-store.js';
import { ClipNotFound } from '../../core/errors.js';
import { type ExportJobRequest, exportJobRequest } from '../../core/export-job.js';
import * as clients from '../clients.js';
import type { ExportTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export async function prepareExport(
  deps: { clips: ClipStore; bucket: string; roleArn: string; now?: () => Date },
  input: ExportTaskInput,
): Promise<ExportJobRequest> {
  const clip = await deps.clips.get(input.stream_id, input.clip_id);
  const item = clip.exports?.[input.export_id];
  if (!item) throw new ClipNotFound(input.stream_id, `${input.clip_id} export ${input.export_id}`);
  const job = exportJobRequest({ clip, item, bucket: deps.bucket, roleArn: deps.roleArn });
  if (item.status === 'SUBMITTED') await deps.clips.putExport(clip, { ...item, status: 'PROGRESSING' });
  return job;
}

export const handler = taskHandler('prepare-export', (input: ExportTaskInput) =>
  prepareExport(
    { clips: clients.clips(), bucket: settings.archiveBucket(), roleArn: settings.mediaConvertRoleArn() },
    input,
  ),
);
