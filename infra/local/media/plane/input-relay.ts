/**
 * What the channel's one long-running FFmpeg encoder reads: a single, endless FLV stream on a pipe,
 * whose clock starts when the channel starts and never jumps back, carrying the input-loss slate
 * (slate.ts) while no publisher feeds the channel and the publisher's own H.264/AAC once one does.
 *
 * Why a relay in front of one FFmpeg (docs/benchmarks.md): MediaLive encodes from the moment a
 * channel runs, so archive file k covers [k·L, (k+1)·L) of the session, with or without input. One
 * encoder whose input never ends keeps its output clock, HLS numbering and archive counter
 * continuous by construction; two processes handing off would each restart the segment muxer's
 * clock and race on the boundary file, and FFmpeg cannot open an RTMP input that does not exist
 * yet. The slate is encoded once and looped here as compressed frames (no encode); the
 * publisher's packets pass through untouched, only re-timed. FFmpeg handles the switches: a new
 * sequence header reaches its decoders as new extradata, and its `fps`/`aresample` filters keep
 * the output at the channel's constant rate.
 *
 * Timestamps: slate frame k of the channel is at k / frame rate of the wall clock; a publisher is
 * joined on its next key frame, at the next slate frame's time, and followed on its own timestamps
 * (shifted). When it stops (it disconnects, or sends no video for LOSS_MS), the slate resumes one
 * frame after its last frame and catches up with the wall clock.
 */
import type { Writable } from 'node:stream';
import type { Publication } from './rtmp-ingest.js';
import type { Slate } from './slate.js';

/** One FLV tag's worth of a publisher's stream, `data` being the tag body (owned by the packet). */
export interface RelayPacket {
  /** 8 audio, 9 video, 18 script data. */
  type: number;
  /** As node-media-server's FLV reader sets them: 0 audio header, 2 video header, 3 key frame… */
  flags: number;
  codecId: number;
  /** Milliseconds, the publisher's clock. */
  dts: number;
  data: Buffer;
}

/** A publication the relay can follow. */
type RelayFeed = Pick<Publication, 'label' | 'subscribe'>;

export interface InputRelayOptions {
  slate: Slate;
  /** FFmpeg's input pipe. */
  output: Writable;
  logger: (line: string) => void;
  label: string;
}

const FLV_AUDIO = 8;
const FLV_VIDEO = 9;
const VIDEO_HEADER = 2;
const KEY_FRAME = 3;
const H264 = 7;
const AAC = 10;
/**
 * No video from the publisher for this long and the slate takes over: a local choice, many frame
 * times of a live input (which sends every frame, not only key frames), short enough that a pulled
 * cable shows the slate at once rather than after the ingest's 30 s idle timeout.
 */
const LOSS_MS = 1_000;
const TICK_MS = 20;
const AAC_FRAME_SAMPLES = 1024;
/**
 * FFmpeg's input pipe may hold this much before the relay drops publisher packets (then until the
 * next key frame): a few seconds of a high-bitrate input, so a slow encoder cannot grow memory.
 */
const MAX_BACKLOG_BYTES = 16 * 1024 * 1024;
/** Frame times are fractions of a millisecond: this much is "the same time". */
const EPSILON_MS = 1e-6;
/** A publisher timestamp this far from where the relay expects it is a jump, not jitter. */
const MAX_JUMP_MS = 10_000;
/** AudioSpecificConfig sampling frequency index → Hz (ISO/IEC 14496-3, 1.6.3.4). */
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

function aacSampleRate(header: Buffer): number | undefined {
  // Tag body: format byte, AACPacketType, then the AudioSpecificConfig: 5 bits object type, 4 bits index.
  const b0 = header[2];
  const b1 = header[3];
  if (b0 === undefined || b1 === undefined) return undefined;
  return AAC_RATES[((b0 & 0x07) << 1) | (b1 >> 7)];
}

/** One FLV tag: 11-byte header, body, previous-tag-size (FLV specification 10, E.4). */
function flvTag(type: number, timestamp: number, body: Buffer): Buffer {
  const tag = Buffer.alloc(11 + body.length + 4);
  tag[0] = type;
  tag.writeUIntBE(body.length, 1, 3);
  const ms = Math.max(0, Math.round(timestamp)) >>> 0;
  tag.writeUIntBE(ms & 0xffffff, 4, 3);
  tag[7] = (ms >>> 24) & 0xff;
  body.copy(tag, 11);
  tag.writeUInt32BE(11 + body.length, 11 + body.length);
  return tag;
}

/** The FLV file header (audio and video present) and the first previous-tag-size. */
const FLV_HEADER = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 0x09, 0, 0, 0, 0]);

type Mode = 'slate' | 'waiting' | 'input';

export class InputRelay {
  readonly #slate: Slate;
  readonly #output: Writable;
  readonly #log: (line: string) => void;
  readonly #label: string;
  readonly #frameMs: number;
  #t0 = 0;
  #timer: NodeJS.Timeout | undefined;
  #mode: Mode = 'slate';
  #ended = false;

  /** Media time (ms) of the last video frame written; the next one is at least a frame later. */
  #videoTs = Number.NEGATIVE_INFINITY;
  /** Media time (ms) where the audio written so far ends. */
  #audioEnd = 0;
  #audioFrameMs: number;
  /** Whose sequence headers the decoders have last been given. */
  #videoHeaderFrom: 'slate' | 'feed' | undefined;
  #audioFrom: 'slate' | 'feed' | undefined;

  /** Slate frames since the slate (re)started at `#slateBase`: frame i is at base + i frames. */
  #slateIndex = 0;
  #slateBase = 0;

  #feed: RelayFeed | undefined;
  #unsubscribe: (() => void) | undefined;
  #feedVideoHeader: Buffer | undefined;
  #feedAudioHeader: Buffer | undefined;
  #offset = 0;
  #lastInputAt = 0;
  #skipUntilKey = false;
  #unsupportedLogged = false;

  constructor(options: InputRelayOptions) {
    this.#slate = options.slate;
    this.#output = options.output;
    this.#log = options.logger;
    this.#label = options.label;
    const { numerator, denominator } = options.slate.spec.frameRate;
    this.#frameMs = (1000 * denominator) / numerator;
    this.#audioFrameMs = (1000 * AAC_FRAME_SAMPLES) / options.slate.sampleRate;
  }

  /** What the encoder is being fed. */
  get showing(): 'slate' | 'input' {
    return this.#mode === 'input' ? 'input' : 'slate';
  }

  /** Media time now: milliseconds since the relay started. */
  get mediaTime(): number {
    return Date.now() - this.#t0;
  }

  start(): void {
    this.#t0 = Date.now();
    this.#output.write(FLV_HEADER);
    this.#enterSlate();
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Follow `feed` from its next key frame (undefined: the slate). */
  use(feed: RelayFeed | undefined): void {
    if (feed === this.#feed || this.#ended) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#feed = feed;
    this.#feedVideoHeader = undefined;
    this.#feedAudioHeader = undefined;
    this.#unsupportedLogged = false;
    if (this.#mode === 'input') {
      this.#log(`${this.#label}: input gone, encoding the slate`);
      this.#enterSlate();
    }
    if (!feed) {
      this.#mode = 'slate';
      return;
    }
    this.#mode = 'waiting';
    const current = feed;
    this.#unsubscribe = feed.subscribe((packet) => {
      if (this.#feed === current) this.#onPacket(packet);
    });
  }

  /** Stops the clock and ends the stream: FFmpeg reads the end, flushes its files and exits. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#timer);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#output.end();
  }

  #write(type: typeof FLV_AUDIO | typeof FLV_VIDEO, ts: number, body: Buffer): void {
    if (!this.#ended && !this.#output.destroyed) this.#output.write(flvTag(type, ts, body));
  }

  #tick(): void {
    if (this.#ended) return;
    if (this.#mode === 'input' && Date.now() - this.#lastInputAt > LOSS_MS) {
      this.#log(`${this.#label}: no video from the input for ${LOSS_MS} ms, encoding the slate`);
      this.#enterSlate();
      // Keep following the feed: its next key frame switches back.
      this.#mode = 'waiting';
    }
    if (this.#mode !== 'input') this.#slateUntil(this.mediaTime);
  }

  #enterSlate(): void {
    this.#mode = 'slate';
    this.#slateIndex = 0;
    this.#slateBase = Number.isFinite(this.#videoTs) ? this.#videoTs + this.#frameMs : 0;
    if (this.#videoHeaderFrom !== 'slate') {
      this.#write(FLV_VIDEO, this.#slateBase, this.#slate.videoHeader);
      this.#videoHeaderFrom = 'slate';
    }
    // The slate's silence becomes the audio (after the feed's audio, or at start).
    if (this.#audioFrom === 'slate') return;
    this.#write(FLV_AUDIO, this.#audioEnd, this.#slate.audioHeader);
    this.#audioFrom = 'slate';
    this.#audioFrameMs = (1000 * AAC_FRAME_SAMPLES) / this.#slate.sampleRate;
  }

  #slateUntil(mediaTime: number): void {
    const frames = this.#slate.videoFrames;
    for (;;) {
      // From the frame count, not by adding up frame lengths: no rounding drift over hours.
      const ts = this.#slateBase + this.#slateIndex * this.#frameMs;
      if (ts > mediaTime + EPSILON_MS) break;
      this.#write(FLV_VIDEO, ts, frames[this.#slateIndex % frames.length] as Buffer);
      this.#videoTs = ts;
      this.#slateIndex += 1;
    }
    this.#silenceUntil(mediaTime);
  }

  #silenceUntil(mediaTime: number): void {
    if (this.#audioFrom !== 'slate') return;
    while (this.#audioEnd <= mediaTime + EPSILON_MS) {
      this.#write(FLV_AUDIO, this.#audioEnd, this.#slate.silence);
      this.#audioEnd += this.#audioFrameMs;
    }
  }

  #onPacket(packet: RelayPacket): void {
    if (packet.type === FLV_VIDEO) this.#onVideo(packet);
    else if (packet.type === FLV_AUDIO) this.#onAudio(packet);
    // Script data (onMetaData) is not passed on: the encoder reads the streams themselves, and a
    // second publisher's metadata would contradict the first's.
  }

  #onVideo(packet: RelayPacket): void {
    if (packet.flags === VIDEO_HEADER) {
      this.#feedVideoHeader = packet.data;
      if (this.#mode === 'input') {
        this.#write(FLV_VIDEO, this.#videoTs, packet.data);
        this.#videoHeaderFrom = 'feed';
      }
      return;
    }
    if (this.#mode === 'waiting') {
      if (packet.flags !== KEY_FRAME || !this.#feedVideoHeader) return;
      if (packet.codecId !== H264) {
        if (!this.#unsupportedLogged) {
          this.#log(`${this.#label}: input video codec ${packet.codecId} is not H.264; encoding the slate`);
          this.#unsupportedLogged = true;
        }
        return;
      }
      this.#join(packet);
      return;
    }
    if (this.#mode !== 'input') return;
    this.#lastInputAt = Date.now();
    if (this.#output.writableLength > MAX_BACKLOG_BYTES) this.#skipUntilKey = true;
    if (this.#skipUntilKey) {
      if (packet.flags !== KEY_FRAME || this.#output.writableLength > MAX_BACKLOG_BYTES / 2) return;
      this.#skipUntilKey = false;
    }
    let ts = packet.dts + this.#offset;
    if (ts < this.#videoTs - MAX_JUMP_MS || ts > this.mediaTime + MAX_JUMP_MS) {
      // The publisher's clock jumped (a restart of its encoder, a wrap): carry on from here.
      this.#offset = this.#videoTs + this.#frameMs - packet.dts;
      ts = packet.dts + this.#offset;
    }
    // Decode order must not go back in time (composition offsets are in the tag body).
    ts = Math.max(ts, this.#videoTs);
    this.#write(FLV_VIDEO, ts, packet.data);
    this.#videoTs = ts;
    this.#silenceUntil(ts);
  }

  #join(keyFrame: RelayPacket): void {
    // One frame after the last slate frame: the video stays one frame apart, on the channel's clock.
    const at = Number.isFinite(this.#videoTs) ? this.#videoTs + this.#frameMs : 0;
    this.#offset = at - keyFrame.dts;
    this.#mode = 'input';
    this.#lastInputAt = Date.now();
    this.#skipUntilKey = false;
    this.#write(FLV_VIDEO, at, this.#feedVideoHeader as Buffer);
    this.#videoHeaderFrom = 'feed';
    this.#write(FLV_VIDEO, at, keyFrame.data);
    this.#videoTs = at;
    if (this.#feedAudioHeader) this.#feedAudio(this.#feedAudioHeader);
    else this.#silenceUntil(at);
    this.#log(
      `${this.#label}: encoding ${this.#feed?.label ?? 'the input'} (${this.#audioFrom === 'feed' ? 'its audio' : 'with silence: no AAC audio'})`,
    );
  }

  /** Makes the feed's AAC the audio, from where the audio written so far ends. */
  #feedAudio(header: Buffer): void {
    this.#write(FLV_AUDIO, this.#audioEnd, header);
    this.#audioFrom = 'feed';
    const rate = aacSampleRate(header);
    if (rate) this.#audioFrameMs = (1000 * AAC_FRAME_SAMPLES) / rate;
  }

  #onAudio(packet: RelayPacket): void {
    if (packet.codecId !== AAC) return; // other codecs: the slate's silence goes on
    if (packet.data[1] === 0) {
      this.#feedAudioHeader = packet.data;
      if (this.#mode === 'input') this.#feedAudio(packet.data);
      return;
    }
    if (this.#mode !== 'input' || this.#audioFrom !== 'feed' || this.#skipUntilKey) return;
    const ts = packet.dts + this.#offset;
    // Audio from before the switch, or overlapping what is written: the audio clock only goes on.
    if (ts < this.#audioEnd - this.#audioFrameMs / 2) return;
    this.#write(FLV_AUDIO, ts, packet.data);
    this.#audioEnd = ts + this.#audioFrameMs;
  }
}
