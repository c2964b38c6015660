/**
 * The metrics a running MediaLive channel and its MediaPackage channel publish to CloudWatch, as
 * the local media plane measures them once a second: names, dimensions and units are AWS's, so the
 * health route reads them with the same GetMetricData request in both places.
 *
 * - AWS/MediaLive, dimensions ChannelId and Pipeline: NetworkIn (megabits per second received from
 *   the publisher), InputVideoFrameRate (frames per second), DroppedFrames (frames the encoder
 *   dropped: FFmpeg's drop count; one encoder stands for both pipelines locally).
 * - AWS/MediaPackage, dimension Channel: EgressRequestCount (requests viewers made).
 */
import type { MetricSample } from '../../cloudwatch/local-cloudwatch.js';
import type { Publication } from './rtmp-ingest.js';

export type { MetricSample };

export interface ChannelMetricsSource {
  channels(): Array<{ id: string; pipelines: number; droppedFrames: number | undefined }>;
  feeds(): Array<{ channelId: string; pipeline: number; publication: Pick<Publication, 'stats'> }>;
  /** Requests per package channel since the last call. */
  egressRequests(): Array<[string, number]>;
  publish(samples: MetricSample[]): void;
  now?: () => number;
}

export class ChannelMetrics {
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  /** Counters at the last sample, per publication fed to a channel (by its stats) and per channel. */
  #previous = new Map<object, { bytes: number; videoFrames: number }>();
  readonly #dropped = new Map<string, number>();

  constructor(private readonly source: ChannelMetricsSource) {}

  start(): void {
    this.#last = this.#now();
    this.#timer = setInterval(() => this.sample(), 1_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Measures what arrived since the last sample and publishes it. */
  sample(): void {
    const now = this.#now();
    const seconds = Math.max(0.001, (now - this.#last) / 1000);
    this.#last = now;
    const samples: MetricSample[] = [];
    const feeds = this.source.feeds();
    const previous = this.#previous;
    this.#previous = new Map();
    const none = { bytes: 0, videoFrames: 0 };
    for (const channel of this.source.channels()) {
      const dropped = channel.droppedFrames ?? 0;
      const before = this.#dropped.get(channel.id) ?? 0;
      // A new FFmpeg run counts from 0 again.
      const droppedNow = dropped >= before ? dropped - before : dropped;
      this.#dropped.set(channel.id, dropped);
      for (let pipeline = 0; pipeline < channel.pipelines; pipeline++) {
        const feed = feeds.find((f) => f.channelId === channel.id && f.pipeline === pipeline);
        const stats = feed?.publication.stats;
        const last = (stats && (this.#previous.get(stats) ?? previous.get(stats))) ?? none;
        if (stats) this.#previous.set(stats, { ...stats });
        const values: Array<[string, number]> = [
          ['NetworkIn', stats ? ((stats.bytes - last.bytes) * 8) / 1e6 / seconds : 0],
          ['InputVideoFrameRate', stats ? (stats.videoFrames - last.videoFrames) / seconds : 0],
          ['DroppedFrames', droppedNow],
        ];
        for (const [name, value] of values) {
          const dimensions = { ChannelId: channel.id, Pipeline: String(pipeline) };
          samples.push({ namespace: 'AWS/MediaLive', name, dimensions, value, at: now });
        }
      }
    }
    for (const [channelId, value] of this.source.egressRequests()) {
      const dimensions = { Channel: channelId };
      samples.push({ namespace: 'AWS/MediaPackage', name: 'EgressRequestCount', dimensions, value, at: now });
    }
    if (samples.length > 0) this.source.publish(samples);
  }

  #now(): number {
    return (this.source.now ?? Date.now)();
  }
}
