/**
 * Each lifecycle machine's primary course, run from its synthesized definition with the real task
 * handlers against dynalite and the MediaLive/MediaPackage/CloudFront double, started through the
 * real API handler.
 */

import { GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { DescribeChannelCommand, DescribeInputCommand } from '@aws-sdk/client-medialive';
import { DescribeOriginEndpointCommand } from '@aws-sdk/client-mediapackage';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamRecord } from '../../core/stream.js';
import {
  ARCHIVE_BUCKET,
  NO_RESOURCES,
  PLACEHOLDER_URLS,
  startWorkflowHarness,
  statesEntered,
  type WorkflowHarness,
} from '../support/workflow-harness.js';

let h: WorkflowHarness;

// A clean clone synthesizes the definitions first (a CDK synth: tens of seconds on 2 busy cores).
beforeAll(async () => {
  h = await startWorkflowHarness();
}, 180_000);

afterAll(async () => {
  await h?.close();
});

const epochNow = () => Math.floor(Date.now() / 1000);
const rtmp = `rtmp://${PLACEHOLDER_URLS.rtmpHost}:${PLACEHOLDER_URLS.rtmpPort}`;

describe('CreateStream', () => {
  it('records the stream IDLE with every endpoint filled in, backed by a channel, input, package channel and endpoint', async () => {
    const run = await h.act('POST', '/streams', { name: 'Keynote', startover_window_seconds: 1800 });

    expect(run.answer.body.status).toBe('CREATING');
    expect(run.execution.status).toBe('SUCCEEDED');
    const record = run.record as StreamRecord;
    expect(record.status).toBe('IDLE');
    expect(record.error).toBeNull();
    expect(record.rtmp1).toMatch(new RegExp(`^${rtmp}/live1/[0-9a-f]{32}$`));
    expect(record.rtmp2).toMatch(new RegExp(`^${rtmp}/live2/[0-9a-f]{32}$`));
    expect(record.viewer_endpoint).toMatch(
      new RegExp(`^${PLACEHOLDER_URLS.hls}/out/v1/[0-9a-f]+/index\\.m3u8$`),
    );
    expect(record.package_channel_id).toBe(`live-${record.id}`);
    expect(record.package_endpoint_id).toBe(`live-${record.id}-hls`);

    const channel = await h.aws.medialive.send(
      new DescribeChannelCommand({ ChannelId: record.live_channel_id ?? '' }),
    );
    expect(channel.State).toBe('IDLE');
    expect(channel.ChannelClass).toBe('STANDARD');
    expect(channel.InputAttachments?.map((a) => a.InputId)).toEqual([record.live_input_id]);
    const input = await h.aws.medialive.send(
      new DescribeInputCommand({ InputId: record.live_input_id ?? '' }),
    );
    expect(input.Destinations?.map((d) => d.Url)).toEqual([record.rtmp1, record.rtmp2]);
    const endpoint = await h.aws.mediapackage.send(
      new DescribeOriginEndpointCommand({ Id: record.package_endpoint_id ?? '' }),
    );
    expect(endpoint.ChannelId).toBe(record.package_channel_id);
    expect(endpoint.StartoverWindowSeconds).toBe(1800);
    expect(endpoint.Url).toBe(record.viewer_endpoint);
    expect(await h.resourcesOf(record.id)).toEqual({
      channels: [{ id: record.live_channel_id, state: 'IDLE' }],
      inputs: [{ id: record.live_input_id, state: 'ATTACHED' }],
      packageChannels: [record.package_channel_id],
      originEndpoints: [record.package_endpoint_id],
    });
  });

  it('gives a SINGLE_PIPELINE stream one RTMP destination', async () => {
    const record = await h.idleStream({ channel_class: 'SINGLE_PIPELINE' });

    expect(record.rtmp1).toMatch(/\/live1\/[0-9a-f]{32}$/);
    expect(record.rtmp2).toBeNull();
    const channel = await h.aws.medialive.send(
      new DescribeChannelCommand({ ChannelId: record.live_channel_id ?? '' }),
    );
    expect(channel.ChannelClass).toBe('SINGLE_PIPELINE');
  });
});

describe('StartStream', () => {
  it('runs the channel and records the session: archives_path, current_session_id, last_started and a session item', async () => {
    const idle = await h.idleStream();
    const before = epochNow();

    const run = await h.act('POST', `/streams/${idle.id}/start`, {});

    expect(run.answer.body.status).toBe('STARTING');
    expect(run.execution.status).toBe('SUCCEEDED');
    const record = run.record as StreamRecord;
    expect(record.status).toBe('RUNNING');
    expect(record.started).toBe(true);
    expect(record.error).toBeNull();
    const sessionId = record.current_session_id as string;
    expect(sessionId).toMatch(/^[0-9A-F]{16}$/);
    const prefix = new RegExp(`^\\d{4}/\\d{2}/\\d{2}/${record.id}-\\d+$`);
    const session = await h.store.getSession(record.id, sessionId);
    expect(session.prefix).toMatch(prefix);
    expect(session.stopped_at).toBeNull();
    expect(record.archives_path).toEqual({ [sessionId]: `s3://${ARCHIVE_BUCKET}/${session.prefix}` });
    expect(Number(record.last_started)).toBeGreaterThanOrEqual(before);
    expect(Number(record.last_started)).toBeLessThanOrEqual(epochNow());

    const channel = await h.aws.medialive.send(
      new DescribeChannelCommand({ ChannelId: record.live_channel_id ?? '' }),
    );
    expect(channel.State).toBe('RUNNING');
    const urls = (channel.Destinations ?? []).flatMap((d) => (d.Settings ?? []).map((s) => s.Url));
    expect(urls).toEqual(
      expect.arrayContaining([
        `s3ssl://${ARCHIVE_BUCKET}/${session.prefix}/_1/archive`,
        `s3ssl://${ARCHIVE_BUCKET}/${session.prefix}/_2/archive`,
      ]),
    );
    expect(channel.RoleArn).toBe(h.env.MEDIALIVE_ROLE_ARN);
  });

  it('archives under the path given on start', async () => {
    const idle = await h.idleStream();

    const run = await h.act('POST', `/streams/${idle.id}/start`, { path: 'events/2025/keynote' });

    const record = run.record as StreamRecord;
    expect(record.status).toBe('RUNNING');
    const sessionId = record.current_session_id as string;
    expect(record.archives_path[sessionId]).toBe(`s3://${ARCHIVE_BUCKET}/events/2025/keynote`);
  });

  it("refuses, at once and with a 400 naming path, a path that is another session's archive or holds objects", async () => {
    const first = await h.idleStream();
    expect(
      (await h.act('POST', `/streams/${first.id}/start`, { path: 'events/2025/closing' })).record,
    ).toMatchObject({
      status: 'RUNNING',
    });
    await h.aws.s3.send(
      new PutObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: 'uploads/2024/a.mp4', Body: 'old' }),
    );
    const second = await h.idleStream();

    for (const [path, reason] of [
      ['events/2025/closing/', 'is the archive of another recording session: choose another path'],
      ['uploads/2024', 'already holds objects: choose an empty path'],
    ]) {
      const answer = await h.call('POST', `/streams/${second.id}/start`, { path });
      expect(answer.statusCode, path).toBe(400);
      expect((answer.body.error as { details: unknown }).details, path).toEqual([{ field: 'path', reason }]);
    }
    expect(await h.store.get(second.id)).toEqual(second);
  });
});

describe('StopStream', () => {
  it('stops the channel and records IDLE, last_stopped, started=false and the session closed', async () => {
    const running = await h.runningStream();
    const before = epochNow();

    const run = await h.act('POST', `/streams/${running.id}/stop`);

    expect(run.answer.body.status).toBe('STOPPING');
    expect(run.execution.status).toBe('SUCCEEDED');
    const record = run.record as StreamRecord;
    expect(record.status).toBe('IDLE');
    expect(record.started).toBe(false);
    expect(Number(record.last_stopped)).toBeGreaterThanOrEqual(before);
    expect(record.archives_path).toEqual(running.archives_path);
    const session = await h.store.getSession(record.id, running.current_session_id as string);
    expect(session.stopped_at).not.toBeNull();
    const channel = await h.aws.medialive.send(
      new DescribeChannelCommand({ ChannelId: record.live_channel_id ?? '' }),
    );
    expect(channel.State).toBe('IDLE');
  });
});

describe('DeleteStream', () => {
  it('removes the record and every MediaLive and MediaPackage resource, and leaves the archive and its sessions alone', async () => {
    const running = await h.runningStream();
    const stopped = (await h.act('POST', `/streams/${running.id}/stop`)).record as StreamRecord;
    const session = await h.store.getSession(stopped.id, running.current_session_id as string);
    const archiveFile = { Bucket: ARCHIVE_BUCKET, Key: `${session.prefix}/_1/archive_1080p.000000.ts` };
    await h.aws.s3.send(new PutObjectCommand({ ...archiveFile, Body: 'recorded' }));

    const run = await h.act('DELETE', `/streams/${stopped.id}`);

    expect(run.answer.body.status).toBe('DELETING');
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.record).toBeUndefined();
    // The archive's index stays: the session is still listed (and its clips, GET /streams/{id}/clips).
    expect((await h.store.listSessions(stopped.id, { limit: 10 })).items.map((s) => s.id)).toEqual([
      session.id,
    ]);
    await expect.poll(() => h.resourcesOf(stopped.id), { timeout: 5_000 }).toEqual(NO_RESOURCES);
    await expect(h.aws.s3.send(new HeadObjectCommand(archiveFile))).resolves.toMatchObject({
      ContentLength: 8,
    });
  });

  it('stops a running stream first when forced', async () => {
    const running = await h.runningStream();

    const run = await h.act('DELETE', `/streams/${running.id}`, undefined, { force: 'true' });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.record).toBeUndefined();
    const path = statesEntered(await h.history(run.execution.executionArn));
    expect(path.indexOf('Stop channel if running')).toBeLessThan(path.indexOf('Delete channel'));
    await expect.poll(() => h.resourcesOf(running.id), { timeout: 5_000 }).toEqual(NO_RESOURCES);
  });

  it('refuses to delete a running stream without force, and leaves it running', async () => {
    const running = await h.runningStream();

    const answer = await h.call('DELETE', `/streams/${running.id}`);

    expect(answer.statusCode).toBe(409);
    expect((await h.store.get(running.id)).status).toBe('RUNNING');
  });
});

describe('GoLive and EndLive', () => {
  async function distribution() {
    const out = await h.aws.cloudfront.send(
      new GetDistributionConfigCommand({ Id: h.env.LIVE_DISTRIBUTION_ID }),
    );
    return { etag: out.ETag, config: out.DistributionConfig };
  }

  it('adds the origin and cache behaviour once however often GoLive runs, and EndLive removes them', async () => {
    const running = await h.runningStream();
    const folder = new URL(running.viewer_endpoint as string).pathname.replace(/\/[^/]+$/, '');
    const ours = async () => {
      const { etag, config } = await distribution();
      return {
        etag,
        origins: (config?.Origins?.Items ?? []).filter((o) => o.Id === `live-${running.id}`),
        behaviours: (config?.CacheBehaviors?.Items ?? []).filter((b) => b.PathPattern === `${folder}/*`),
      };
    };

    const first = await h.act('POST', `/streams/${running.id}/live`);
    expect(first.execution.status).toBe('SUCCEEDED');
    const onCdn = await ours();
    expect(onCdn.origins).toHaveLength(1);
    expect(onCdn.behaviours).toEqual([expect.objectContaining({ TargetOriginId: `live-${running.id}` })]);
    expect(first.record).toMatchObject({
      status: 'RUNNING',
      cloudfront_associated: true,
      viewer_endpoint_cloudfront: `${PLACEHOLDER_URLS.cdn}${folder}/index.m3u8`,
    });

    const second = await h.act('POST', `/streams/${running.id}/live`);
    expect(second.execution.status).toBe('SUCCEEDED');
    const again = await ours();
    expect(again.origins).toHaveLength(1);
    expect(again.behaviours).toHaveLength(1);
    // No UpdateDistribution at all: the ETag did not move.
    expect(again.etag).toBe(onCdn.etag);

    const end = await h.act('DELETE', `/streams/${running.id}/live`);
    expect(end.execution.status).toBe('SUCCEEDED');
    const offCdn = await ours();
    expect(offCdn.origins).toEqual([]);
    expect(offCdn.behaviours).toEqual([]);
    expect(end.record).toMatchObject({
      status: 'RUNNING',
      cloudfront_associated: false,
      viewer_endpoint_cloudfront: null,
    });
  });
});

describe('two starts at once', () => {
  it('answers one 202 and one 409, and runs exactly one StartStream execution', async () => {
    const idle = await h.idleStream();

    const answers = await Promise.all([
      h.call('POST', `/streams/${idle.id}/start`, {}),
      h.call('POST', `/streams/${idle.id}/start`, {}),
    ]);

    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409]);
    const refused = answers.find((a) => a.statusCode === 409);
    expect(refused?.body).toMatchObject({ error: { code: expect.any(String) } });
    const executions = await h.aws.sfn.send(new ListExecutionsCommand({ stateMachineArn: h.machines.start }));
    const ours = (executions.executions ?? []).filter((e) => e.name?.startsWith(`${idle.id}-start-`));
    expect(ours).toHaveLength(1);
    const done = await h.waitForExecution(ours[0]?.executionArn as string);
    expect(done.status).toBe('SUCCEEDED');
    expect((await h.store.get(idle.id)).status).toBe('RUNNING');
  });
});
