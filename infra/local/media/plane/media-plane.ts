/**
 * The local media service's media plane: RTMP ingest, FFmpeg encoding of each running channel's
 * own EncoderSettings, the MediaPackage-shaped HLS origin, the local CloudFront listener, and the
 * archive files in local S3. The control plane drives it through `MediaPlane` and answers its
 * questions through `ControlPlaneView` (see ../contracts.ts).
 *
 * Files under `<dataDir>/media/`: `hls/<packageChannelId>/` (master `index.m3u8`, one folder per
 * rendition with FFmpeg's playlist and segments, `segments.json` the origin's index) and
 * `archive/<channelId>/<run>/` (archive files until uploaded, with the run's `run.json` so that a
 * restarted service uploads what a killed one left: archive-recorder.ts).
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type FfmpegBinaries, findFfmpeg, x264Preset } from '../../ffmpeg.js';
import type { ControlPlaneView, LocalChannel, MediaPlane } from '../contracts.js';
import { ArchiveRecorder, recoverArchives } from './archive-recorder.js';
import { ArchiveUploader } from './archive-upload.js';
import { ChannelEncoder } from './channel-encoder.js';
import { ChannelMetrics, type MetricSample } from './channel-metrics.js';
import { planEncoding } from './encoder-plan.js';
import { HlsSegmentIndex } from './hls-segment-index.js';
import { originRequestHandler } from './origin-http.js';
import { closeServer, listenOn, type Publication, RtmpIngestServer } from './rtmp-ingest.js';
import { slateFor } from './slate.js';
import { SrtListener } from './srt-ingest.js';

export interface MediaPlaneOptions {
  dataDir: string;
  /** 0 picks a free port (tests); `listen()` reports the one bound. */
  rtmpPort: number;
  /** @default '127.0.0.1' */
  host?: string;
  originPort: number;
  cdnPort: number;
  /** Local S3 (s3rver): `forcePathStyle` and `requestChecksumCalculation: 'WHEN_REQUIRED'`. */
  s3: S3Client;
  view: ControlPlaneView;
  /** @default env X264_PRESET, else 'ultrafast' */
  x264Preset?: string;
  /** @default console.log with a `[media]` prefix */
  logger?: (line: string) => void;
  /**
   * A channel alert as MediaLive raises it (its alert type, SET or CLEARED): "Video Not Detected"
   * while a running channel's input is gone (the input-loss stop listens to it), "Audio Not
   * Detected" for an input without audio, "RTMP Output Failure" while a simulcast push fails.
   */
  onAlert?: (alert: {
    channelId: string;
    channelArn: string;
    pipeline: number;
    type: string;
    set: boolean;
    message: string;
    /** What the alert is about when a channel may have several (an output's name). */
    subject?: string;
  }) => void;
  /** The channels' MediaLive and MediaPackage metrics, every second (the local CloudWatch keeps them). */
  onMetrics?: (samples: MetricSample[]) => void;
}

export interface MediaPlaneUrls {
  /** `rtmp://host:port`; publishers push to `<rtmpUrl>/<app>/<stream key>`. */
  rtmpUrl: string;
  /** The local MediaPackage origin; endpoint URLs are `<originUrl>/out/v1/<hash>/<manifest>.m3u8`. */
  originUrl: string;
  /** The local CloudFront: the same paths, for associated endpoints only. */
  cdnUrl: string;
}

export type LocalMediaPlane = MediaPlane & {
  listen(): Promise<MediaPlaneUrls>;
  /** True once a publisher is connected on this input stream name (for tests and /health). */
  isPublishing(app: string, name: string): boolean;
};

async function closeHttp(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await closeServer(server);
}

function urlHost(host: string): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return reachable.includes(':') ? `[${reachable}]` : reachable;
}

export function createMediaPlane(opts: MediaPlaneOptions): LocalMediaPlane {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? ((line: string) => console.log(`[media] ${line}`));
  const preset = opts.x264Preset ?? x264Preset();
  const mediaDir = path.resolve(opts.dataDir, 'media');
  const uploader = new ArchiveUploader(opts.s3, logger);
  const channels = new Map<string, { channel: LocalChannel; encoder: ChannelEncoder }>();
  const indexes = new Map<string, HlsSegmentIndex>();
  let binaries: FfmpegBinaries | undefined;
  /** Uploads of the archive files a previous run of the service left behind. */
  let recovery: Promise<void> = Promise.resolve();

  function indexFor(packageChannelId: string, create: boolean): HlsSegmentIndex | undefined {
    const existing = indexes.get(packageChannelId);
    if (existing) return existing;
    const dir = path.join(mediaDir, 'hls', packageChannelId);
    // After a restart of the local service the startover window is still on disk: serve it.
    if (!create && !existsSync(path.join(dir, 'segments.json'))) return undefined;
    const index = new HlsSegmentIndex(dir);
    indexes.set(packageChannelId, index);
    return index;
  }

  /** The running channels the publication's input feeds, with the pipeline it feeds. */
  function channelsFed(
    publication: Publication,
  ): Array<{ channel: LocalChannel; encoder: ChannelEncoder; pipeline: number }> {
    const input = opts.view.findInputByStreamName(publication.app, publication.name);
    if (!input) return [];
    const wanted = `${publication.app}/${publication.name}`;
    const pipeline = Math.max(
      input.streamNames.findIndex((name) => name.replace(/^\/+/, '') === wanted),
      0,
    );
    return [...channels.values()]
      .filter(({ channel }) => channel.inputIds.includes(input.id))
      .map((running) => ({ ...running, pipeline }));
  }

  function reportInput(publication: Publication, lost: boolean): void {
    for (const { channel, pipeline } of channelsFed(publication)) {
      const about = { channelId: channel.id, channelArn: channel.arn, pipeline };
      const message = lost ? 'RTMP input disconnected' : 'RTMP input connected';
      opts.onAlert?.({ ...about, type: 'Video Not Detected', set: lost, message });
      // An input that goes away takes its audio alert with it: the input-loss alert says it all.
      const silent = !lost && !publication.hasAudio;
      opts.onAlert?.({
        ...about,
        type: 'Audio Not Detected',
        set: silent,
        message: silent ? 'The input has no AAC audio track' : 'Audio detected, or input gone',
      });
    }
  }

  function offerToChannels(publication: Publication): void {
    for (const { encoder, pipeline } of channelsFed(publication)) encoder.offer(publication, pipeline);
    reportInput(publication, false);
  }

  function unpublish(publication: Publication): void {
    for (const { encoder } of channels.values()) encoder.withdraw(publication);
    reportInput(publication, true);
  }

  /** The SRT listeners of each running channel's SRT inputs. */
  const srtListeners = new Map<string, SrtListener[]>();

  const ingest = new RtmpIngestServer({
    host,
    port: opts.rtmpPort,
    admitPublish: (app, name) => {
      const input = opts.view.findInputByStreamName(app, name);
      if (!input) return 'unknown stream key';
      // An SRT input's publication names are not RTMP stream keys.
      return input.type === 'SRT_LISTENER' ? 'unknown stream key' : undefined;
    },
    onReady: offerToChannels,
    onUnpublish: unpublish,
    logger,
  });

  const source = {
    view: opts.view,
    segments: (packageChannelId: string) => indexFor(packageChannelId, false),
    now: () => Date.now(),
  };
  const origin = http.createServer(originRequestHandler(source));
  // MediaPackage's EgressRequestCount: every request a viewer makes of an endpoint.
  const egressRequests = new Map<string, number>();
  origin.on('request', (request: http.IncomingMessage) => {
    const hash = /^\/out\/v1\/([0-9a-f]{32})\//.exec(request.url ?? '')?.[1];
    const channelId = hash && opts.view.findEndpointByHash(hash)?.channelId;
    if (channelId) egressRequests.set(channelId, (egressRequests.get(channelId) ?? 0) + 1);
  });
  const cdn = http.createServer(originRequestHandler(source, (hash) => opts.view.cdnServes(hash)));

  const metrics = new ChannelMetrics({
    channels: () =>
      [...channels.values()].map(({ channel, encoder }) => ({
        id: channel.id,
        pipelines: channel.channelClass === 'STANDARD' ? 2 : 1,
        droppedFrames: encoder.progress?.dropFrames,
      })),
    feeds: () =>
      [
        ...ingest.publications(),
        ...[...srtListeners.values()].flat().flatMap((l) => l.publication ?? []),
      ].flatMap((publication) =>
        channelsFed(publication).map(({ channel, pipeline }) => ({
          channelId: channel.id,
          pipeline,
          publication,
        })),
      ),
    egressRequests: () => {
      const counts = [...egressRequests.entries()];
      egressRequests.clear();
      return counts;
    },
    publish: (samples) => opts.onMetrics?.(samples),
  });

  /** Starts a listener per pipeline of each SRT input of the channel. */
  function listenSrt(channel: LocalChannel): void {
    const listeners: SrtListener[] = [];
    for (const inputId of channel.inputIds) {
      const input = opts.view.getInput?.(inputId);
      if (input?.type !== 'SRT_LISTENER' || !input.srt) continue;
      const { ports, ...security } = input.srt;
      binaries ??= findFfmpeg();
      for (const [pipeline, port] of ports.entries()) {
        const [app = 'srt', name = `${inputId}-${pipeline}`] = (input.streamNames[pipeline] ?? '').split('/');
        const listener = new SrtListener({
          ffmpeg: binaries.ffmpeg,
          host,
          port,
          ...security,
          app,
          name,
          logger,
          onReady: offerToChannels,
          onUnpublish: unpublish,
        });
        listener.start();
        listeners.push(listener);
      }
    }
    if (listeners.length > 0) srtListeners.set(channel.id, listeners);
  }

  async function stopChannel(channelId: string): Promise<void> {
    const running = channels.get(channelId);
    if (!running) return;
    // Out of the map first: callers cut off by the stop are no input loss to report.
    channels.delete(channelId);
    await Promise.all((srtListeners.get(channelId) ?? []).map((l) => l.stop()));
    srtListeners.delete(channelId);
    await running.encoder.stop();
    logger(`channel ${channelId}: stopped, archive flushed`);
  }

  return {
    async listen() {
      // Found once, at start-up: the lookup runs `ffmpeg -version` synchronously.
      binaries ??= findFfmpeg();
      // Before any channel starts, so that only folders of dead runs are taken; the uploads
      // themselves go on in the background.
      const recovered = await recoverArchives(mediaDir, uploader, logger);
      recovery = recovered.done.catch((error: unknown) =>
        logger(`archive: recovery failed: ${String(error)}`),
      );
      const rtmpPort = await ingest.listen();
      const originPort = await listenOn(origin, opts.originPort, host);
      const cdnPort = await listenOn(cdn, opts.cdnPort, host);
      if (opts.onMetrics) metrics.start();
      const shown = urlHost(host);
      return {
        rtmpUrl: `rtmp://${shown}:${rtmpPort}`,
        originUrl: `http://${shown}:${originPort}`,
        cdnUrl: `http://${shown}:${cdnPort}`,
      };
    },

    isPublishing(app, name) {
      return ingest.publication(app, name) !== undefined;
    },

    async startChannel(channel) {
      if (channels.has(channel.id)) await stopChannel(channel.id);
      const plan = planEncoding(channel);
      binaries ??= findFfmpeg();
      const index = indexFor(plan.packageChannelId, true) as HlsSegmentIndex;
      const slate = await slateFor(binaries.ffmpeg, plan.slate);
      const encoder = new ChannelEncoder(plan, {
        ffmpeg: binaries.ffmpeg,
        preset,
        mediaDir,
        index,
        // Created now: the archive's clock (its counters) starts with the encoder's.
        archive: new ArchiveRecorder(channel.id, plan.archives, uploader, plan.rolloverSeconds),
        slate,
        // MediaLive's RTMP output alert, SET while a destination's push fails.
        onSimulcast: (name, state, message) => {
          if (state === 'CONNECTING') return;
          opts.onAlert?.({
            channelId: channel.id,
            channelArn: channel.arn,
            pipeline: 0,
            type: 'RTMP Output Failure',
            subject: name,
            set: state === 'FAILING',
            message: `Output ${name}: ${state === 'FAILING' ? message : 'connected'}`,
          });
        },
        startoverSeconds: () =>
          Math.max(
            0,
            ...(opts.view.getPackageChannel(plan.packageChannelId)?.endpoints ?? []).map(
              (endpoint) => endpoint.startoverWindowSeconds,
            ),
          ),
        logger,
      });
      channels.set(channel.id, { channel, encoder });
      try {
        await encoder.start();
      } catch (error) {
        channels.delete(channel.id);
        await encoder.stop();
        throw error;
      }
      logger(
        `channel ${channel.id}: encoding ${plan.renditions.map((r) => `${r.width}x${r.height}`).join(', ')} ` +
          `(${plan.segmentSeconds} s segments) for package channel ${plan.packageChannelId}, the slate until input arrives`,
      );
      for (const publication of ingest.publications()) {
        if (publication.ready) offerToChannels(publication);
      }
      listenSrt(channel);
    },

    stopChannel,

    async latestThumbnail(channelId) {
      const file = channels.get(channelId)?.encoder.thumbnailPath;
      if (!file) return undefined;
      try {
        const [body, info] = await Promise.all([readFile(file), stat(file)]);
        return { body, at: info.mtime };
      } catch {
        return undefined; // the first one is not written yet
      }
    },

    async close() {
      metrics.stop();
      await Promise.all([...channels.keys()].map((id) => stopChannel(id)));
      await ingest.close();
      await Promise.all([closeHttp(origin), closeHttp(cdn)]);
      await recovery;
      await uploader.idle();
      await Promise.all([...indexes.values()].map((index) => index.flush()));
    },
  };
}
