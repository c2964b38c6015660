/**
 * POST /streams/{id}/split: one VOD HLS playlist per requested range of a recording session. The
 * SplitArchive workflow runs synchronously (an Express machine); its refusals become 4xx here, by
 * the name of the task's error: a bad range 400, a name modifier already used 409.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ActionNotAllowed, InvalidRequest, NameModifierInUse } from '../../core/errors.js';
import { isAllowed, type StreamRecord } from '../../core/stream.js';
import { executionName } from '../../core/workflows.js';
import type { SplitOutput } from '../../tasks/contracts.js';
import { instantUrls, playbackUrl } from '../clip-links.js';
import { HttpError } from '../http.js';
import type { noQuery, Reply, Services, StreamRequest } from '../route.js';
import type { splitBody } from '../schemas.js';
import type { SyncResult } from '../workflow-starter.js';

export async function splitArchive(
  { id, body, requestId, baseUrl }: StreamRequest<typeof splitBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  const { store, workflows, logger, now } = services;
  const current = await store.get(id);
  if (!isAllowed('split', current.status) && current.status !== 'STARTING') {
    throw new ActionNotAllowed(id, 'split', current.status);
  }
  const session = await store.getSession(id, body.session_id);
  const name = executionName(id, 'split', now(), randomBytes(3).toString('hex'));
  let result: SyncResult;
  try {
    result = await workflows.runSplit(name, {
      stream_id: id,
      session,
      timestamp_list: body.timestamp_list,
      name_modifier: body.name_modifier ?? randomUUID(),
      request_id: requestId,
    });
  } catch (error) {
    logger.error('could not run the split workflow', { error: error });
    throw new HttpError(
      503,
      'SplitFailed',
      'could not run the split workflow; nothing was written, retry later',
    );
  }
  if (result.status === 'SUCCEEDED' && result.output) {
    const output = JSON.parse(result.output) as SplitOutput;
    return { body: await withLinks(output, current, services, baseUrl) };
  }
  const cause = parseCause(result.cause);
  if (result.error === InvalidRequest.errorName || result.error === 'ClipOutOfRange') {
    throw new HttpError(
      400,
      'InvalidRequest',
      cause.message,
      cause.details ? { details: cause.details } : {},
    );
  }
  if (result.error === NameModifierInUse.errorName) {
    throw new HttpError(409, NameModifierInUse.errorName, cause.message, {
      details: [{ field: 'name_modifier', reason: 'already names playlists of this session' }],
    });
  }
  throw new HttpError(
    503,
    'SplitFailed',
    `the split did not finish (${result.error ?? result.status}); nothing is lost, retry later`,
  );
}

/**
 * Each written clip with its playback link and, in the startover window, its instant URLs. The
 * links need the clips' records (their signing secrets never pass through Step Functions): the
 * newest clips of the stream are these, read with one Query (any other read by id).
 */
async function withLinks(
  output: SplitOutput,
  stream: StreamRecord,
  services: Services,
  baseUrl: string,
): Promise<unknown> {
  const ids = output.clips.flatMap((clip) => (clip.clip_id ? [clip.clip_id] : []));
  if (ids.length === 0) return output;
  const newest = await services.clips.list(stream.id, { limit: Math.min(100, ids.length) });
  const byId = new Map(newest.items.map((clip) => [clip.id, clip]));
  const now = services.now();
  const clips = await Promise.all(
    output.clips.map(async (clip) => {
      if (!clip.clip_id) return { ...clip, playback_url: null, instant: null };
      const record = byId.get(clip.clip_id) ?? (await services.clips.get(stream.id, clip.clip_id));
      return {
        ...clip,
        playback_url: playbackUrl(baseUrl, record, now).url,
        instant: instantUrls(stream, record, now),
      };
    }),
  );
  return { ...output, clips };
}

/** The task's error as Step Functions reports it: `{"errorMessage", "details"}` in `cause`. */
function parseCause(cause: string | undefined): {
  message: string;
  details?: Array<{ field: string; reason: string }>;
} {
  try {
    const parsed = JSON.parse(cause ?? '') as {
      errorMessage?: string;
      details?: Array<{ field: string; reason: string }>;
    };
    return {
      message: parsed.errorMessage ?? 'the request is not valid',
      ...(parsed.details ? { details: parsed.details } : {}),
    };
  } catch {
    return { message: cause ?? 'the request is not valid' };
  }
}
