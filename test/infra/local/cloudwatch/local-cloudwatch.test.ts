import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCredentials } from '../../../../infra/local/aws-server/credentials.js';
import { type Served, serveAws } from '../../../../infra/local/aws-server/server.js';
import {
  createLocalCloudWatch,
  type LocalCloudWatch,
} from '../../../../infra/local/cloudwatch/local-cloudwatch.js';
import { ChannelMetrics } from '../../../../infra/local/media/plane/channel-metrics.js';

const NOW = Date.parse('2026-11-23T15:00:30.000Z');
let cloudwatch: LocalCloudWatch;
let served: Served;
let client: CloudWatchClient;

beforeAll(async () => {
  const credentials = newCredentials();
  cloudwatch = createLocalCloudWatch({ now: () => NOW });
  served = await serveAws(cloudwatch.api, { port: 0, credentials });
  client = new CloudWatchClient({ endpoint: served.url, region: 'us-east-1', credentials });
});
afterAll(async () => {
  client.destroy();
  await served.close();
  await cloudwatch.close();
});

const query = (name: string, stat: string, pipeline = '0'): GetMetricDataCommandInput => ({
  StartTime: new Date(NOW - 5 * 60_000),
  EndTime: new Date(NOW),
  ScanBy: 'TimestampDescending',
  MetricDataQueries: [
    {
      Id: 'm',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/MediaLive',
          MetricName: name,
          Dimensions: [
            { Name: 'Pipeline', Value: pipeline },
            { Name: 'ChannelId', Value: '1234567' },
          ],
        },
        Period: 60,
        Stat: stat,
      },
    },
  ],
});

describe('local CloudWatch GetMetricData (the SDK client, signed)', () => {
  it('answers the datapoints of a series per period, newest first, with the asked statistic', async () => {
    const sample = (value: number, at: number, pipeline = '0') => ({
      namespace: 'AWS/MediaLive',
      name: 'DroppedFrames',
      dimensions: { ChannelId: '1234567', Pipeline: pipeline },
      value,
      at,
    });
    cloudwatch.put([
      sample(2, Date.parse('2026-11-23T14:59:10Z')),
      sample(3, Date.parse('2026-11-23T14:59:50Z')),
      sample(5, Date.parse('2026-11-23T15:00:10Z')),
      sample(100, Date.parse('2026-11-23T15:00:10Z'), '1'),
    ]);
    const sum = await client.send(new GetMetricDataCommand(query('DroppedFrames', 'Sum')));
    expect(sum.MetricDataResults?.[0]?.Values).toEqual([5, 5]);
    expect(sum.MetricDataResults?.[0]?.Timestamps).toEqual([
      new Date('2026-11-23T15:00:00Z'),
      new Date('2026-11-23T14:59:00Z'),
    ]);
    const max = await client.send(new GetMetricDataCommand(query('DroppedFrames', 'Maximum')));
    expect(max.MetricDataResults?.[0]?.Values).toEqual([5, 3]);
  });

  it('answers no datapoints for a metric nobody put', async () => {
    const out = await client.send(new GetMetricDataCommand(query('InputVideoFrameRate', 'Average', '1')));
    expect(out.MetricDataResults?.[0]).toMatchObject({ Id: 'm', Values: [], StatusCode: 'Complete' });
  });

  it('refuses a time range that ends before it starts, as CloudWatch does', async () => {
    const bad = { ...query('NetworkIn', 'Average'), EndTime: new Date(NOW - 10 * 60_000) };
    await expect(client.send(new GetMetricDataCommand(bad))).rejects.toThrow(/StartTime/);
  });
});

describe('ChannelMetrics (the media plane measures, once a second)', () => {
  it("turns a publication's counters into NetworkIn (Mb/s) and InputVideoFrameRate, and the encoder's drops into DroppedFrames", () => {
    let now = 0;
    const stats = { bytes: 0, videoFrames: 0 };
    let dropped = 0;
    const published: Array<{ name: string; value: number; pipeline: string | undefined }> = [];
    const metrics = new ChannelMetrics({
      now: () => now,
      channels: () => [{ id: '1234567', pipelines: 2, droppedFrames: dropped }],
      feeds: () => [
        {
          channelId: '1234567',
          pipeline: 0,
          publication: {
            id: 'p',
            app: 'live1',
            name: 'k',
            remoteAddress: '',
            ready: true,
            hasAudio: true,
            stats,
          },
        },
      ],
      egressRequests: () => [['pkg', 4]],
      publish: (samples) =>
        published.push(
          ...samples.map((s) => ({ name: s.name, value: s.value, pipeline: s.dimensions.Pipeline })),
        ),
    });
    metrics.start();
    metrics.stop();
    now = 2_000;
    stats.bytes = 1_000_000;
    stats.videoFrames = 60;
    dropped = 3;
    metrics.sample();
    expect(published).toEqual(
      expect.arrayContaining([
        { name: 'NetworkIn', value: 4, pipeline: '0' },
        { name: 'InputVideoFrameRate', value: 30, pipeline: '0' },
        { name: 'DroppedFrames', value: 3, pipeline: '0' },
        { name: 'NetworkIn', value: 0, pipeline: '1' },
        { name: 'EgressRequestCount', value: 4, pipeline: undefined },
      ]),
    );
  });
});
