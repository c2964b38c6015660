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
import type { Readable } from 'node:stream';
import Flv from 'node-media-server/src/protocol/flv.js';
import { endChild } from './encoder-process.js';
import { Publication } from './rtmp-ingest.js';

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

export class SrtListener {
  readonly #options: SrtListenerOptions;
  #child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  #publication: Publication | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SrtListenerOptions) {
    this.#options = options;
  }

  get publication(): Publication | undefined {
    return this.#publication;
  }

  start(): void {
    if (this.#stopped || this.#child) return;
    const o = this.#options;
    const url =
      `srt://${o.host}:${o.port}?mode=listener&passphrase=${encodeURIComponent(o.passphrase)}` +
      `&pbkeylen=${o.keyLength}&latency=${o.latencyMs * 1000}`;
    const args = [
      ...'-hide_banner -loglevel error -nostats -f mpegts -i'.split(' '),
      url,
      ...'-map 0:v:0 -map 0:a:0? -c copy -f flv -flvflags no_duration_filesize pipe:1'.split(' '),
    ];
    const child = spawn(o.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const label = `srt ${o.app}/${o.name} on port ${o.port}`;
    // A spawn that fails (process limit, a binary gone) must not end local mode: 'close' follows.
    child.on('error', (error) => {
      o.logger(`${label}: could not run FFmpeg: ${error.message.split(o.passphrase).join('****')}`);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = chunk.split('\n').filter((l) => l.trim() !== '');
      for (const line of lines.slice(0, 5))
        o.logger(`${label}: ffmpeg: ${line.split(o.passphrase).join('****')}`);
    });
    // FFmpeg's FLV, read by the parser the RTMP engine uses: the same packets as an RTMP publisher's.
    const flv = new Flv();
    child.stdout.on('data', (chunk: Buffer) => {
      // FFmpeg writes nothing until a caller has connected and sent a stream.
      if (!this.#publication) {
        const publication = new Publication(o.app, o.name);
        flv.onPacketCallback = (packet) => publication.accept(packet, () => o.onReady(publication));
        this.#publication = publication;
        o.logger(`${label}: a caller connected`);
      }
      flv.parserData(chunk);
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
    if (child) await endChild(child, () => child.kill('SIGTERM'));
  }
}
