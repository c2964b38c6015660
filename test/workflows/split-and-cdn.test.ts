/**
 * SplitArchive (Express, run synchronously by the API) and GoLive's failure path, with the bundled
 * functions: clips planned from MediaLive's archive names and written next to the archive, a range
 * past the recording answered 400 (the error reaches the API by its name), and a full distribution
 * recorded on the stream.
 */
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { archiveKey } from '../../core/archive-naming.js';
import type { Fault } from '../support/control-plane-faults.js';
import { ARCHIVE_BUCKET, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

let h: WorkflowHarness;
const faults: Fault[] = [];

beforeAll(async () => {
  h = await startWorkflowHarness();
}, 180_000);
afterEach(() => {
  for (const fault of faults.splice(0)) fault.remove();
});
afterAll(async () => {
  await h?.close();
});

/** A stopped stream whose session ran `files` × 10 s and recorded that many archive files on pipeline 1. */
async function recordedSession(files: number) {
  const running = await h.runningStream({ segment_length: 10 });
  const sessionId = running.current_session_id as string;
  const started = await h.store.getSession(running.id, sessionId);
  // The channel ran for files × 10 s (the harness's channel starts in a fraction of a second).
  const session = { ...started, started_at: new Date(Date.now() - files * 10_000).toISOString() };
  await h.store.putSession(running.id, session);
  for (let counter = 0; counter < files; counter++) {
    await h.aws.s3.send(
      new PutObjectCommand({
        Bucket: ARCHIVE_BUCKET,
        Key: archiveKey(session.prefix, 0, counter),
        Body: Buffer.alloc(188 * 4),
      }),
    );
  }
  const stopped = await h.act('POST', `/streams/${running.id}/stop`);
  expect(stopped.record?.status).toBe('IDLE');
  return { id: running.id, sessionId, prefix: session.prefix };
}

describe('SplitArchive', () => {
  it('writes one playlist per range over the archive files and says what each covers', async () => {
    const { id, sessionId, prefix } = await recordedSession(3);

    const answer = await h.call('POST', `/streams/${id}/split`, {
      session_id: sessionId,
      timestamp_list: [{ start: 0, end: 15 }],
      name_modifier: 'intro',
    });

    expect(answer.statusCode, JSON.stringify(answer.body)).toBe(200);
    const clips = answer.body.clips as Array<Record<string, unknown>>;
    expect(clips[0]).toMatchObject({ covered_start: 0, covered_end: 20, segments: 2 });
    const index = (answer.body.indexes as string[])[0] as string;
    expect(index).toBe(`s3://${ARCHIVE_BUCKET}/${prefix}/index_intro_0.m3u8`);
    const key = index.slice(`s3://${ARCHIVE_BUCKET}/`.length);
    const playlist = await h.aws.s3.send(new GetObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: key }));
    expect(await playlist.Body?.transformToString()).toContain('#EXT-X-ENDLIST');
  });

  it('answers 409 for a name modifier an earlier split used, and leaves no playlist of its own behind', async () => {
    const { id, sessionId, prefix } = await recordedSession(3);
    // The earlier split's first range has no file (file 2 is gone): it wrote index_dup_1 only.
    await h.aws.s3.send(new DeleteObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: archiveKey(prefix, 0, 2) }));
    const earlier = await h.call('POST', `/streams/${id}/split`, {
      session_id: sessionId,
      timestamp_list: [
        { start: 20, end: 30 },
        { start: 0, end: 15 },
      ],
      name_modifier: 'dup',
    });
    expect(earlier.statusCode, JSON.stringify(earlier.body)).toBe(200);
    expect(earlier.body.indexes).toEqual([`s3://${ARCHIVE_BUCKET}/${prefix}/index_dup_1.m3u8`]);

    const again = await h.call('POST', `/streams/${id}/split`, {
      session_id: sessionId,
      timestamp_list: [
        { start: 0, end: 15 },
        { start: 0, end: 10 },
      ],
      name_modifier: 'dup',
    });

    expect(again.statusCode, JSON.stringify(again.body)).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'NameModifierInUse' } });
    // Its own index_dup_0 was written, then deleted when index_dup_1 turned out taken.
    await expect(
      h.aws.s3.send(new GetObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: `${prefix}/index_dup_0.m3u8` })),
    ).rejects.toThrow(NoSuchKey);
    const kept = await h.aws.s3.send(
      new GetObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: `${prefix}/index_dup_1.m3u8` }),
    );
    expect(await kept.Body?.transformToString()).toContain('#EXT-X-ENDLIST');
    const listed = await h.call('GET', `/streams/${id}/clips`, undefined, { session_id: sessionId });
    expect(listed.body as unknown as unknown[]).toHaveLength(1);
  });

  it('answers 400 for a range past the recording: the error keeps its name from the bundle to the API', async () => {
    const { id, sessionId } = await recordedSession(1);

    const answer = await h.call('POST', `/streams/${id}/split`, {
      session_id: sessionId,
      timestamp_list: [{ start: 3600, end: 3700 }],
    });

    expect(answer.statusCode, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'InvalidRequest' } });
  });
});

describe('GoLive on a full distribution', () => {
  it('keeps the stream as it was and records that the CDN is full', async () => {
    const running = await h.runningStream();
    faults.push(
      h.faults.fail('UpdateDistribution', {
        code: 'TooManyOrigins',
        status: 400,
        message: 'Your request contains too many origins.',
      }),
    );

    const live = await h.act('POST', `/streams/${running.id}/live`);

    expect(live.execution.status).toBe('FAILED');
    expect(live.execution.error).toBe('DistributionQuotaReached');
    expect(live.record).toMatchObject({ status: 'RUNNING', cloudfront_associated: false });
    expect(live.record?.error).toMatchObject({ code: 'DistributionQuotaReached', action: 'go-live' });
  });
});
