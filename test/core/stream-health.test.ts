import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeChannelCommand,
  DescribeThumbnailsCommand,
  NotFoundException,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ThumbnailNotAvailable } from '../../core/errors.js';
import { newestSegment, streamHealth } from '../../core/stream-health.js';
import { latestThumbnail } from '../../core/stream-thumbnail.js';
import { anIdleStream } from '../support/builders.js';
import { TEST_CREDENTIALS } from '../support/dynalite.js';
import {
  inputsOf,
  modelProblems,
  newMediaLive,
  type StoreFixture,
  startStore,
} from '../tasks/task-harness.js';

let fx: StoreFixture;
const medialive = newMediaLive();
const ml = mockClient(medialive);
const cloudwatch = new CloudWatchClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
const cw = mockClient(cloudwatch);
const NOW = new Date('2026-11-23T15:00:00.000Z');
const STARTED = String(Date.parse('2026-11-23T14:00:00.000Z') / 1000);

const MASTER = 'https://origin.example/out/v1/abc/index.m3u8';
const playlists: Record<string, string> = {
  [MASTER]: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=864000\n360p/index.m3u8\n',
  'https://origin.example/out/v1/abc/360p/index.m3u8': [
    '#EXTM3U',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T14:59:48.000Z',
    '#EXTINF:6.006,',
    'a.ts',
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T14:59:54.006Z',
    '#EXTINF:4.000,',
    'b.ts',
  ].join('\n'),
};
const fakeFetch = (async (url: string | URL | Request) => {
  const body = playlists[String(url)];
  return new Response(body ?? 'not found', { status: body ? 200 : 404 });
}) as typeof fetch;

beforeAll(async () => {
  fx = await startStore('streams-health');
});
afterAll(async () => fx.close());
beforeEach(() => {
  ml.reset();
  cw.reset();
});

const running = () =>
  anIdleStream({
    status: 'RUNNING',
    started: true,
    last_started: STARTED,
    viewer_endpoint: MASTER,
    destinations: [
      { name: 'youtube', url: 'rtmp://a.rtmp.youtube.com/live2', stream_key: 'k', rendition: '720p' },
    ],
  });
const metricsAnswer = (values: Record<string, number>) =>
  cw.on(GetMetricDataCommand).resolves({
    MetricDataResults: Object.entries(values).map(([Id, v]) => ({
      Id,
      Values: [v],
      Timestamps: [new Date(NOW.getTime() - 60_000)],
    })),
  });
const health = (record: Parameters<typeof streamHealth>[1]) =>
  streamHealth({ medialive, cloudwatch, store: fx.store, fetch: fakeFetch, now: () => NOW }, record);

describe('streamHealth', () => {
  it('shows a running stream with input on both pipelines green, with its rates and the origin freshness', async () => {
    const stream = await fx.seed(running());
    ml.on(DescribeChannelCommand).resolves({ State: 'RUNNING' });
    metricsAnswer({ ni0: 4.5, fr0: 29.97, df0: 0, ni1: 4.4, fr1: 30, df1: 0, eg: 12 });
    const result = await health(stream);
    expect(result.light).toBe('green');
    expect(result.channel_state).toBe('RUNNING');
    expect(result.pipelines[0]?.input).toEqual({
      connected: true,
      since: '2026-11-23T14:00:00.000Z',
      video: { frame_rate: 29.97, bitrate: 4_500_000, resolution: null },
      audio: { detected: true },
    });
    expect(result.pipelines[0]?.simulcast).toEqual([{ name: 'youtube', state: 'ACTIVE', message: null }]);
    expect(result.output).toEqual({
      newest_segment_at: '2026-11-23T14:59:58.006Z',
      newest_segment_age_seconds: 2,
      viewer_requests_last_minute: 12,
    });
  });

  it('asks CloudWatch once, for MediaLive metrics per pipeline and MediaPackage egress, as the model allows', async () => {
    const stream = await fx.seed(running());
    ml.on(DescribeChannelCommand).resolves({ State: 'RUNNING' });
    metricsAnswer({});
    await health(stream);
    const [input] = inputsOf(cw, GetMetricDataCommand);
    expect(modelProblems('cloudwatch', 'GetMetricData', input)).toBe('');
    const names = input?.MetricDataQueries?.map((q) => `${q.Id}:${q.MetricStat?.Metric?.MetricName}`);
    expect(names).toContain('ni1:NetworkIn');
    expect(names).toContain('eg:EgressRequestCount');
    expect(input?.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'ChannelId', Value: stream.live_channel_id },
      { Name: 'Pipeline', Value: '0' },
    ]);
  });

  it('reads an active input-loss alert as input lost since it was set, amber while the other pipeline has input', async () => {
    const stream = await fx.seed(running());
    await fx.store.recordAlert(stream.id, {
      id: 'loss-1',
      pipeline: 1,
      type: 'Video Not Detected',
      message: 'RTMP input disconnected',
      state: 'SET',
      at: '2026-11-23T14:59:57.000Z',
    });
    ml.on(DescribeChannelCommand).resolves({ State: 'RUNNING' });
    metricsAnswer({ ni0: 4.5, ni1: 2 });
    const result = await health(stream);
    expect(result.pipelines[1]?.input.connected).toBe(false);
    expect(result.pipelines[1]?.input.since).toBe('2026-11-23T14:59:57.000Z');
    expect(result.pipelines[1]?.active_alerts).toEqual([
      { type: 'Video Not Detected', message: 'RTMP input disconnected', since: '2026-11-23T14:59:57.000Z' },
    ]);
    expect(result.light).toBe('amber');
    expect(result.session_alerts).toHaveLength(1);
  });

  it('shows a failing simulcast destination from an active RTMP output alert naming it', async () => {
    const stream = await fx.seed(running());
    await fx.store.recordAlert(stream.id, {
      id: 'rtmp-out',
      pipeline: 0,
      type: 'RTMP Output Failure',
      message: 'Output youtube: connection refused',
      state: 'SET',
      at: '2026-11-23T14:59:00.000Z',
    });
    ml.on(DescribeChannelCommand).resolves({ State: 'RUNNING' });
    metricsAnswer({ ni0: 4.5, ni1: 4.5 });
    const [first] = (await health(stream)).pipelines;
    expect(first?.simulcast).toEqual([
      { name: 'youtube', state: 'FAILING', message: 'Output youtube: connection refused' },
    ]);
  });

  it('is off, without metrics, for a stream that does not run', async () => {
    const stream = await fx.seed(anIdleStream());
    ml.on(DescribeChannelCommand).resolves({ State: 'IDLE' });
    const result = await health(stream);
    expect(result.light).toBe('off');
    expect(result.pipelines[0]?.input.connected).toBeNull();
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  it('is red when no pipeline has input', async () => {
    const stream = await fx.seed(running());
    ml.on(DescribeChannelCommand).resolves({ State: 'RUNNING' });
    metricsAnswer({ ni0: 0, ni1: 0 });
    expect((await health(stream)).light).toBe('red');
  });
});

describe('newestSegment', () => {
  it('is the end of the newest segment of the first rendition', async () => {
    expect(await newestSegment(fakeFetch, MASTER)).toBe(Date.parse('2026-11-23T14:59:58.006Z'));
  });
});

describe('latestThumbnail', () => {
  it('decodes the newest JPEG of the pipeline, asked as the model wants', async () => {
    const stream = await fx.seed(running());
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    ml.on(DescribeThumbnailsCommand).resolves({
      ThumbnailDetails: [
        {
          PipelineId: '1',
          Thumbnails: [{ Body: jpeg.toString('base64'), ContentType: 'image/jpeg', TimeStamp: NOW }],
        },
      ],
    });
    const thumbnail = await latestThumbnail(medialive, stream, 1);
    expect(thumbnail).toEqual({ body: jpeg, contentType: 'image/jpeg', at: NOW.toISOString() });
    const [input] = inputsOf(ml, DescribeThumbnailsCommand);
    expect(input).toEqual({
      ChannelId: stream.live_channel_id,
      PipelineId: '1',
      ThumbnailType: 'CURRENT_ACTIVE',
    });
    expect(modelProblems('medialive', 'DescribeThumbnails', input)).toBe('');
  });

  it('refuses with ThumbnailNotAvailable when MediaLive has none, or the stream does not run', async () => {
    const stream = await fx.seed(running());
    ml.on(DescribeThumbnailsCommand).rejects(new NotFoundException({ message: 'none', $metadata: {} }));
    await expect(latestThumbnail(medialive, stream, 0)).rejects.toThrow(ThumbnailNotAvailable);
    await expect(latestThumbnail(medialive, anIdleStream(), 0)).rejects.toThrow(ThumbnailNotAvailable);
  });
});
