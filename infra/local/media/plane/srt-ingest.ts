/**
 * The local SRT listener input: what OBS or FFmpeg call with `srt://host:port?passphrase=…`, like
 * a MediaLive SRT_LISTENER input. One FFmpeg per pipeline listens (libsrt, `mode=listener`, AES
 * with the input's passphrase), takes the caller's MPEG-TS and copies its H.264 and AAC, unchanged,
 * as FLV to a pipe; this class turns that FLV into the same packets the RTMP ingest hands the
 * channel encoder (a `Publication`), so the relay and the encoder do not know which protocol fed
 * them. When the caller goes, FFmpeg ends: the publication ends with it and a new listener starts.
 *
 * The passphrase is in FFmpeg's arguments (a local process of the same user) and masked in every
 * line logged.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { RelayPacket } from './input-relay.js';
import type { Publication, PublicationStats } from './rtmp-ingest.js';

export interface SrtListenerOptions {
  ffmpeg: string;
  host: string;
  port: number;
  passphrase: string;
  /** AES key length in bytes (SRT's pbkeylen). */
  keyLength: 16 | 24 | 32;
  latencyMs: number;
  /** The publication's name, as the input lists it (`srt`, `<input id>-<pipeline>`). */
  app: string;
  name: string;
  logger: (line: string) => void;
  onReady(publication: Publication): void;
  onUnpublish(publication: Publication): void;
  /** Before a new listener after a caller left. @default 500 */
  relistenMs?: number;
}

const FLV_HEADER_BYTES = 13;
const TAG_HEADER_BYTES = 11;

/** A caller's stream, as the encoder side sees it. */
export class SrtPublication implements Publication {
  readonly id = randomBytes(6).toString('hex');
  ready = false;
  hasAudio = false;
  readonly stats: PublicationStats = { bytes: 0, videoFrames: 0 };
  #videoHeader: RelayPacket | undefined;
  #audioHeader: RelayPacket | undefined;
  readonly #subscribers = new Set<(packet: RelayPacket) => void>();

  constructor(
    readonly app: string,
    readonly name: string,
    readonly remoteAddress: string,
  ) {}

  subscribe(listener: (packet: RelayPacket) => void): () => void {
    for (const header of [this.#videoHeader, this.#audioHeader]) if (header) listener(header);
    this.#subscribers.add(listener);
    return () => this.#subscribers.delete(listener);
  }

  end(): void {
    this.#subscribers.clear();
  }

  /** One FLV tag (header and body); `onReady` runs when this one makes the stream decodable. */
  accept(type: number, dts: number, body: Buffer, onReady: () => void): void {
    const format = body[0] ?? 0;
    let packet: RelayPacket;
    if (type === 8) {
      const header = format >> 4 === 10 && body[1] === 0;
      packet = { type, flags: header ? 0 : 1, codecId: format >> 4, dts, data: body };
      if (header) this.#audioHeader = packet;
      this.hasAudio = true;
    } else if (type === 9) {
      const header = (format & 0x0f) === 7 && body[1] === 0;
      // The flags node-media-server's FLV reader gives: 2 sequence header, 3 key frame, 4 other.
      const flags = header ? 2 : format >> 4 === 1 ? 3 : 4;
      packet = { type, flags, codecId: format & 0x0f, dts, data: body };
      if (header) this.#videoHeader = packet;
      else this.stats.videoFrames += 1;
      if (flags === 3 && !this.ready && this.#videoHeader) {
        this.ready = true;
        onReady();
      }
    } else return;
    this.stats.bytes += body.length;
    for (const subscriber of this.#subscribers) subscriber(packet);
  }
}

export class SrtListener {
  readonly #options: SrtListenerOptions;
  #child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  #publication: SrtPublication | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SrtListenerOptions) {
    this.#options = options;
  }

  get publication(): SrtPublication | undefined {
    return this.#publication;
  }

  start(): void {
    if (this.#stopped || this.#child) return;
    const o = this.#options;
    const url =
      `srt://${o.host}:${o.port}?mode=listener&passphrase=${encodeURIComponent(o.passphrase)}` +
      `&pbkeylen=${o.keyLength}&latency=${o.latencyMs * 1000}`;
    const child = spawn(
      o.ffmpeg,
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostats', '-f', 'mpegts', '-i', url],
        ...[
          '-map',
          '0:v:0',
          '-map',
          '0:a:0?',
          '-c',
          'copy',
          '-f',
          'flv',
          '-flvflags',
          'no_duration_filesize',
          'pipe:1',
        ],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ) as ChildProcessByStdio<null, Readable, Readable>;
    this.#child = child;
    const label = `srt ${o.app}/${o.name} on port ${o.port}`;
    // A spawn that fails (process limit, a binary gone) must not end local mode: 'close' follows.
    child.on('error', (error) => {
      o.logger(`${label}: could not run FFmpeg: ${error.message.split(o.passphrase).join('****')}`);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(0, 5))
        o.logger(`${label}: ffmpeg: ${line.split(o.passphrase).join('****')}`);
    });
    let pending: Buffer = Buffer.alloc(0);
    let headerRead = false;
    child.stdout.on('data', (chunk: Buffer) => {
      // FFmpeg writes nothing until a caller has connected and sent a stream.
      if (!this.#publication) {
        this.#publication = new SrtPublication(o.app, o.name, `${o.host}:${o.port}`);
        o.logger(`${label}: a caller connected`);
      }
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (!headerRead) {
        if (pending.length < FLV_HEADER_BYTES) return;
        pending = pending.subarray(FLV_HEADER_BYTES);
        headerRead = true;
      }
      while (pending.length >= TAG_HEADER_BYTES) {
        const size = TAG_HEADER_BYTES + pending.readUIntBE(1, 3) + 4;
        if (pending.length < size) return;
        const type = pending[0] ?? 0;
        const dts = pending.readUIntBE(4, 3) | ((pending[7] ?? 0) << 24);
        const body = Buffer.from(pending.subarray(TAG_HEADER_BYTES, size - 4));
        pending = pending.subarray(size);
        const publication = this.#publication;
        publication.accept(type, dts, body, () => o.onReady(publication));
      }
    });
    child.on('close', () => {
      if (this.#child !== child) return;
      this.#child = undefined;
      const publication = this.#publication;
      this.#publication = undefined;
      if (publication) {
        o.logger(`${label}: the caller left`);
        publication.end();
        if (publication.ready) o.onUnpublish(publication);
      }
      if (!this.#stopped) this.#timer = setTimeout(() => this.start(), o.relistenMs ?? 500);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await closed;
    clearTimeout(kill);
  }
}
