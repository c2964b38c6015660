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
  feeds(): Array<{ channelId: string; pipeline: number; publication: Pick<Publication, 'id' | 'stats'> }>;
  /** Requests per package channel since the last call. */
  egressRequests(): Array<[string, number]>;
  publish(samples: MetricSample[]): void;
  now?: () => number;
}

const EVERY_MS = 1_000;

export class ChannelMetrics {
  readonly #source: ChannelMetricsSource;
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  /** Counters at the last sample, per publication id and per channel. */
  readonly #previous = new Map<string, { bytes: number; videoFrames: number }>();
  readonly #dropped = new Map<string, number>();

  constructor(source: ChannelMetricsSource) {
    this.#source = source;
  }

  start(): void {
    this.#last = this.#now();
    this.#timer = setInterval(() => this.sample(), EVERY_MS);
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
    const medialive = (name: string, channelId: string, pipeline: number, value: number) =>
      samples.push({
        namespace: 'AWS/MediaLive',
        name,
        dimensions: { ChannelId: channelId, Pipeline: String(pipeline) },
        value,
        at: now,
      });
    const feeds = this.#source.feeds();
    const seen = new Set<string>();
    for (const channel of this.#source.channels()) {
      const dropped = channel.droppedFrames ?? 0;
      const before = this.#dropped.get(channel.id) ?? 0;
      // A new FFmpeg run counts from 0 again.
      const droppedNow = dropped >= before ? dropped - before : dropped;
      this.#dropped.set(channel.id, dropped);
      for (let pipeline = 0; pipeline < channel.pipelines; pipeline++) {
        const feed = feeds.find((f) => f.channelId === channel.id && f.pipeline === pipeline);
        let megabits = 0;
        let frames = 0;
        if (feed) {
          const { id, stats } = feed.publication;
          seen.add(id);
          const last = this.#previous.get(id) ?? { bytes: 0, videoFrames: 0 };
          megabits = ((stats.bytes - last.bytes) * 8) / 1e6 / seconds;
          frames = (stats.videoFrames - last.videoFrames) / seconds;
          this.#previous.set(id, { bytes: stats.bytes, videoFrames: stats.videoFrames });
        }
        medialive('NetworkIn', channel.id, pipeline, megabits);
        medialive('InputVideoFrameRate', channel.id, pipeline, frames);
        medialive('DroppedFrames', channel.id, pipeline, droppedNow);
      }
    }
    for (const id of this.#previous.keys()) if (!seen.has(id)) this.#previous.delete(id);
    for (const [channelId, count] of this.#source.egressRequests()) {
      samples.push({
        namespace: 'AWS/MediaPackage',
        name: 'EgressRequestCount',
        dimensions: { Channel: channelId },
        value: count,
        at: now,
      });
    }
    if (samples.length > 0) this.#source.publish(samples);
  }

  #now(): number {
    return (this.#source.now ?? Date.now)();
  }
}
