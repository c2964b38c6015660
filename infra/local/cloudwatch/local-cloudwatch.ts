/**
 * The local CloudWatch: the one call the app makes, GetMetricData (AWS JSON 1.0, target
 * `GraniteServiceVersion20100801`, as the SDK's CloudWatch client sends it), over metrics the
 * local media service puts in: the MediaLive and MediaPackage metrics of a running channel, with
 * the names, dimensions and units of AWS (see infra/local/media/plane/channel-metrics.ts).
 *
 * Samples are kept in memory for an hour (the health route asks for the last few minutes): a
 * restart of local mode starts the metrics anew, as a new channel run starts them on AWS.
 */
import { AwsError } from '../aws-server/aws-error.js';
import { Fields, isObject } from '../aws-server/fields.js';
import { jsonApi } from '../aws-server/protocols.js';
import type { AwsApi } from '../aws-server/server.js';

export interface MetricSample {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  value: number;
  /** Epoch milliseconds. */
  at: number;
}

export interface LocalCloudWatch {
  api: AwsApi;
  put(samples: readonly MetricSample[]): void;
  close(): Promise<void>;
}

const KEEP_MS = 60 * 60 * 1000;
/** GetMetricData's own limit on queries per call (CloudWatch API reference). */
const MAX_QUERIES = 500;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const STATS: Record<string, (values: number[]) => number> = {
  Average: (values) => sum(values) / values.length,
  Sum: sum,
  Minimum: (values) => Math.min(...values),
  Maximum: (values) => Math.max(...values),
  SampleCount: (values) => values.length,
};

const invalid = (message: string) => new AwsError('InvalidParameterValue', message);
const seriesKey = (namespace: string, name: string, dimensions: Record<string, string>) =>
  JSON.stringify([namespace, name, Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b))]);

/** The SDK sends timestamps as epoch seconds (numbers) in the JSON protocol. */
function epochMs(fields: Fields, name: string): number {
  const value = fields.raw[name];
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`${name} must be a timestamp.`);
  return ms;
}

export function createLocalCloudWatch(options: { now?: () => number } = {}): LocalCloudWatch {
  const now = options.now ?? Date.now;
  const series = new Map<string, MetricSample[]>();

  const getMetricData = (input: Record<string, unknown>) => {
    const fields = new Fields(input, invalid);
    const start = epochMs(fields, 'StartTime');
    const end = epochMs(fields, 'EndTime');
    if (end <= start) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
    const queries = fields.list('MetricDataQueries', isObject, 'queries') ?? [];
    if (queries.length === 0 || queries.length > MAX_QUERIES)
      throw invalid(`MetricDataQueries must hold 1 to ${MAX_QUERIES} queries.`);
    const newestFirst = fields.string('ScanBy', { oneOf: ['TimestampDescending', 'TimestampAscending'] });
    const results = queries.map((raw, i) => {
      const query = new Fields(raw, invalid, `MetricDataQueries.${i}.`);
      const id = query.string('Id', { required: true, pattern: /^[a-z][a-zA-Z0-9_]*$/ });
      const stat = query.object('MetricStat', true);
      const metric = stat.object('Metric', true);
      const period = stat.integer('Period', 1, 86_400 * 7) ?? 60;
      const statistic = STATS[stat.string('Stat', { required: true, oneOf: Object.keys(STATS) })]!;
      const dimensions = metric.list('Dimensions', isObject, 'dimensions') ?? [];
      const namespace = metric.string('Namespace', { required: true });
      const name = metric.string('MetricName', { required: true });
      const pairs = dimensions.map((d) => [String(d.Name), String(d.Value)]);
      const key = seriesKey(namespace, name, Object.fromEntries(pairs));
      const samples = series.get(key) ?? [];
      // Datapoints on period boundaries, as CloudWatch aligns them.
      const buckets = new Map<number, number[]>();
      for (const sample of samples) {
        if (sample.at < start || sample.at >= end) continue;
        const bucket = Math.floor(sample.at / (period * 1000)) * period * 1000;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), sample.value]);
      }
      const points = [...buckets.entries()].sort(([a], [b]) =>
        newestFirst === 'TimestampAscending' ? a - b : b - a,
      );
      return {
        Id: id,
        Label: name,
        Timestamps: points.map(([at]) => at / 1000),
        Values: points.map(([, values]) => statistic(values)),
        StatusCode: 'Complete',
      };
    });
    return { MetricDataResults: results, Messages: [] };
  };

  return {
    api: jsonApi('json-1.0', 'GraniteServiceVersion20100801.', { GetMetricData: getMetricData }),
    put(samples) {
      const oldest = now() - KEEP_MS;
      for (const sample of samples) {
        const key = seriesKey(sample.namespace, sample.name, sample.dimensions);
        const kept = (series.get(key) ?? []).filter((s) => s.at >= oldest);
        kept.push(sample);
        series.set(key, kept);
      }
    },
    async close() {
      series.clear();
    },
  };
}
