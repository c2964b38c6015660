/**
 * The seam between the local media service's two halves.
 *
 * - The control plane (`infra/local/media/control/`) speaks the MediaLive, MediaPackage and
 *   CloudFront wire protocols, keeps their resources (persisted under the data directory) and
 *   drives channel states the way MediaLive does.
 * - The media plane (`infra/local/media/plane/`) does the real work: RTMP ingest, FFmpeg encoding
 *   of the channel's own EncoderSettings, the HLS origin, the CDN listener and the archive files in
 *   local S3.
 *
 * The control plane calls the media plane through `MediaPlane`; the media plane asks the control
 * plane questions through `ControlPlaneView`. Neither imports the other's internals.
 */
import type { ChannelClass, CreateChannelRequest } from '@aws-sdk/client-medialive';

/** What the media plane needs to know about a MediaLive channel to run it. */
export interface LocalChannel {
  id: string;
  arn: string;
  name: string;
  channelClass: ChannelClass;
  /** The channel's EncoderSettings, exactly as given to CreateChannel/UpdateChannel. */
  encoderSettings: NonNullable<CreateChannelRequest['EncoderSettings']>;
  /** Destinations as given to CreateChannel/UpdateChannel (S3 archive URLs, MediaPackage ids). */
  destinations: NonNullable<CreateChannelRequest['Destinations']>;
  /** Ids of the attached inputs. */
  inputIds: string[];
}

/** A MediaLive RTMP_PUSH or SRT_LISTENER input, as the media plane sees it. */
export interface LocalInput {
  id: string;
  /**
   * "app/key" pairs this input accepts, one per destination (rtmp1, rtmp2); an SRT input's are
   * `srt/<input id>-<pipeline>`, the names of its listeners' publications (never RTMP-publishable).
   */
  streamNames: string[];
  /** @default 'RTMP_PUSH' */
  type?: 'RTMP_PUSH' | 'SRT_LISTENER';
  /** SRT_LISTENER: one UDP port per pipeline, the passphrase read from its secret, AES key bytes. */
  srt?: { ports: number[]; passphrase: string; latencyMs: number; keyLength: 16 | 24 | 32 };
}

/** A MediaPackage v1 channel with its HLS origin endpoints. */
export interface LocalPackageChannel {
  id: string;
  endpoints: Array<{ id: string; url: string; startoverWindowSeconds: number; manifestName: string }>;
}

export interface ControlPlaneView {
  /** The input that owns this RTMP app/stream name, or undefined (then the publish is refused). */
  findInputByStreamName(app: string, streamName: string): LocalInput | undefined;
  /** The input of this id (its SRT listener settings, for a starting channel). */
  getInput?(id: string): LocalInput | undefined;
  /** The running channel attached to this input, if any. */
  findRunningChannelForInput(inputId: string): LocalChannel | undefined;
  getPackageChannel(id: string): LocalPackageChannel | undefined;
  /**
   * The origin endpoint whose URL path is `/out/v1/<hash>/<manifestName>.m3u8` (the shape of a real
   * MediaPackage v1 endpoint URL), with the id of its package channel.
   */
  findEndpointByHash(
    hash: string,
  ):
    | { channelId: string; endpointId: string; startoverWindowSeconds: number; manifestName: string }
    | undefined;
  /**
   * Whether the live CloudFront distribution has a cache behaviour for `/out/v1/<hash>/*` whose
   * origin is the local MediaPackage: the local CDN listener serves only those paths.
   */
  cdnServes(hash: string): boolean;
}

export interface MediaPlane {
  /** Called when a channel goes STARTING → RUNNING. Resolves once encoding is ready to accept input. */
  startChannel(channel: LocalChannel): Promise<void>;
  /** Called when a channel goes STOPPING. Resolves once FFmpeg has exited and the archive is flushed. */
  stopChannel(channelId: string): Promise<void>;
  /** Stop everything (process shutdown). */
  close(): Promise<void>;
  /**
   * The newest JPEG of a running channel that asks for thumbnails (MediaLive's DescribeThumbnails:
   * one picture per pipeline; locally one encoder stands for both).
   */
  latestThumbnail?(channelId: string): Promise<{ body: Buffer; at: Date } | undefined>;
}
