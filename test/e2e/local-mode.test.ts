/**
 * End to end in local mode: the real API handler, state machines, task code, local AWS endpoints and
 * FFmpeg, with a 1080p30 test pattern pushed over RTMP.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApp } from '../../infra/local/app.js';
import { findFfmpeg } from '../../infra/local/ffmpeg.js';
import { apiClient, portsOf, startTestApp } from '../support/local-app.js';

const run = promisify(execFile);
const { ffmpeg, ffprobe } = findFfmpeg();

function push(rtmpUrl: string, seconds: number) {
  return spawn(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=1920x1080:rate=30`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    '60',
    '-b:v',
    '6000k',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-f',
    'flv',
    rtmpUrl,
  ]);
}

async function probeDuration(target: string): Promise<{ duration: number; video: boolean }> {
  const { stdout } = await run(ffprobe ?? 'ffprobe', [
    '-v',
    'error',
    '-protocol_whitelist',
    'file,http,tcp,crypto',
    '-show_entries',
    'format=duration:stream=codec_type',
    '-of',
    'json',
    target,
  ]);
  const out = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string }> };
  return { duration: Number(out.format.duration), video: out.streams.some((s) => s.codec_type === 'video') };
}

let app: LocalApp & { dataDir: string };
let api: ReturnType<typeof apiClient>;
let s3: S3Client;

beforeAll(async () => {
  app = await startTestApp();
  api = apiClient(app);
  s3 = new S3Client({
    endpoint: app.endpoints.s3,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: app.stack.credentials,
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
});

describe('local mode, end to end', () => {
  it('creates, starts, encodes the ladder, archives, clips, stops and deletes a stream, keeping the archive', async () => {
    const created = await api.call('POST', '/streams', { name: 'e2e', segment_length: 4 });
    expect(created.status).toBe(202);
    const id = String(created.body.id);
    const idle = await api.waitForStatus(id, 'IDLE');
    expect(idle.rtmp1).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live1\/[0-9a-f]{32}$/);

    // A wrong stream key is refused: FFmpeg cannot publish and exits with an error.
    const wrongKey = `${String(idle.rtmp1).replace(/[0-9a-f]{32}$/, '0'.repeat(32))}`;
    const refused = push(wrongKey, 3);
    const refusedCode = await new Promise<number | null>((resolve) => refused.on('exit', resolve));
    expect(refusedCode).not.toBe(0);

    expect((await api.call('POST', `/streams/${id}/start`)).status).toBe(202);
    const running = await api.waitForStatus(id, 'RUNNING');
    const sessionId = String(running.current_session_id);
    expect(running.archives_path).toHaveProperty(sessionId);

    const pusher = push(String(running.rtmp1), 22);
    const pushed = new Promise<number | null>((resolve) => pusher.on('exit', resolve));
    await pushed;
    expect(await pushed).toBe(0);

    const master = await (await fetch(String(running.viewer_endpoint))).text();
    for (const [resolution, bitrate] of [
      ['640x360', 800_000],
      ['960x540', 2_200_000],
      ['1280x720', 4_700_000],
      ['1920x1080', 8_000_000],
    ] as const) {
      const line = master.split('\n').find((l) => l.includes(`RESOLUTION=${resolution}`));
      expect(line, `master playlist lists ${resolution}`).toBeDefined();
      const bandwidth = Number(/BANDWIDTH=(\d+)/.exec(line ?? '')?.[1]);
      expect(bandwidth).toBeGreaterThanOrEqual(bitrate);
      expect(bandwidth).toBeLessThan(bitrate * 1.2);
    }
    // A segment of the top rendition decodes.
    const base = String(running.viewer_endpoint).replace(/[^/]+$/, '');
    const rendition = master
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .at(-1) as string;
    const media = await (await fetch(base + rendition)).text();
    const segment = media.split('\n').find((l) => l && !l.startsWith('#')) as string;
    const segmentUrl = new URL(segment, base + rendition).toString();
    const dir = mkdtempSync(path.join(tmpdir(), 'seg-'));
    writeFileSync(path.join(dir, 'seg.ts'), Buffer.from(await (await fetch(segmentUrl)).arrayBuffer()));
    const probed = await probeDuration(path.join(dir, 'seg.ts'));
    expect(probed.video).toBe(true);
    expect(probed.duration).toBeGreaterThan(0);

    // Stop: the last archive file is uploaded on stop.
    expect((await api.call('POST', `/streams/${id}/stop`)).status).toBe(202);
    const stopped = await api.waitForStatus(id, 'IDLE');
    expect(stopped.started).toBe(false);
    expect(stopped.last_stopped).not.toBeNull();

    const prefix = String((running.archives_path as Record<string, string>)[sessionId]).replace(
      /^s3:\/\/[^/]+\//,
      '',
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'live-archive', Prefix: `${prefix}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key as string);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}/_1/archive_1080p\\.\\d{6}\\.ts$`));

    // A clip of the recorded session: its duration is within one segment_length of the range.
    const split = await api.call('POST', `/streams/${id}/split`, {
      session_id: sessionId,
      timestamp_list: [{ start: 4, end: 12 }],
      name_modifier: 'e2e',
    });
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    const clip = (split.body.clips as unknown as Array<{ segments: number; playback_url: string }>)[0];
    expect(clip?.segments).toBeGreaterThan(0);
    // Played as the console plays it: its signed playback link, with no token (the playlist's
    // segments are presigned URLs of the local S3, which answers signed requests only).
    const clipProbe = await probeDuration(String(clip?.playback_url));
    expect(clipProbe.video).toBe(true);
    expect(Math.abs(clipProbe.duration - 8)).toBeLessThanOrEqual(4);

    // The same name modifier again would replace that playlist: refused by the split task.
    const again = await api.call('POST', `/streams/${id}/split`, {
      session_id: sessionId,
      timestamp_list: [{ start: 0, end: 4 }],
      name_modifier: 'e2e',
    });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect((again.body.error as { code: string }).code).toBe('NameModifierInUse');

    expect((await api.call('DELETE', `/streams/${id}`)).status).toBe(202);
    await api.waitForStatus(id, 'GONE');
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'live-archive', Prefix: `${prefix}/` }));
    expect((after.Contents ?? []).length).toBeGreaterThanOrEqual(keys.length);
  }, 240_000);

  it('answers the AWS CLI signing with the key pair of local-endpoints.json, and no unsigned request', async () => {
    const file = path.join(app.dataDir, 'local-endpoints.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const endpoints = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string> & {
      credentials: { accessKeyId: string; secretAccessKey: string };
    };
    const { accessKeyId, secretAccessKey } = app.stack.credentials;
    expect(endpoints.credentials).toEqual({ accessKeyId, secretAccessKey });
    const created = await api.call('POST', '/streams', { name: 'cli' });
    const idle = await api.waitForStatus(String(created.body.id), 'IDLE');

    // As the README says to: the credentials file of the data directory, profile `local`.
    const env = {
      ...process.env,
      AWS_SHARED_CREDENTIALS_FILE: path.join(app.dataDir, 'aws-credentials'),
      AWS_PROFILE: 'local',
      AWS_DEFAULT_REGION: endpoints.region,
      AWS_CONFIG_FILE: path.join(app.dataDir, 'no-aws-config'),
    };
    const cli = async (endpoint: string | undefined, ...args: string[]) =>
      JSON.parse(
        (await run('aws', ['--endpoint-url', String(endpoint), '--output', 'json', ...args], { env })).stdout,
      );
    const channels = await cli(endpoints.medialive, 'medialive', 'list-channels');
    expect(channels.Channels.map((c: { Id: string }) => c.Id)).toContain(idle.live_channel_id);
    const machine = `arn:aws:states:${endpoints.region}:000000000000:stateMachine:CreateStream`;
    const executions = await cli(
      endpoints.stepfunctions,
      'stepfunctions',
      'list-executions',
      '--state-machine-arn',
      machine,
    );
    expect(executions.executions.length).toBeGreaterThan(0);

    // Unsigned, nothing: not the inputs (their stream keys), not an execution start.
    const inputs = await fetch(`${endpoints.medialive}/prod/inputs/${idle.live_input_id}`);
    expect(inputs.status).toBe(403);
    const start = await fetch(endpoints.stepfunctions ?? '', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.StartExecution',
      },
      body: JSON.stringify({ stateMachineArn: machine.replace('CreateStream', 'DeleteStream'), input: '{}' }),
    });
    expect(start.status).toBe(403);

    // Every AWS-compatible endpoint, unsigned: refused, whatever the service.
    const aws = [
      'dynamodb',
      's3',
      'stepfunctions',
      'medialive',
      'mediapackage',
      'cloudfront',
      'eventbridge',
      'scheduler',
      'cloudwatch',
      'secretsmanager',
    ];
    for (const service of aws) {
      const url = endpoints[service];
      expect(url, service).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      const unsigned = await fetch(`${url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: '{}',
      });
      expect([service, unsigned.status]).toEqual([service, 403]);
      const anonymousGet = await fetch(`${url}/`);
      expect([service, anonymousGet.status]).toEqual([service, 403]);
    }
  }, 120_000);

  it('finds every stream again after a restart', async () => {
    const created = await api.call('POST', '/streams', { name: 'survivor' });
    const id = String(created.body.id);
    await api.waitForStatus(id, 'IDLE');
    const dataDir = app.dataDir;
    const ports = portsOf(app);
    await app.close();
    app = await startTestApp(dataDir, ports);
    api = apiClient(app);
    const again = await api.call('GET', `/streams/${id}`);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('IDLE');
    expect(again.body.name).toBe('survivor');
  }, 120_000);
});
