/**
 * One simulcast destination of a running local channel: what MediaLive's RTMP output group does
 * (push one rendition to a platform, reconnect when the connection is lost), locally.
 *
 * The channel's encoder writes the rendition, already encoded, as FLV on a pipe of its own (a
 * `tee` output with `onfail=ignore`); this class reads it and hands it to a small FFmpeg that only
 * copies it to the destination (`-c copy`: no encode). The encoder never waits for a platform: a
 * pusher that falls behind (a slow network) has its backlog dropped up to the next key frame, and a
 * pusher that fails is restarted after `retryMs` from the stream's sequence headers and next key
 * frame. So a slow or absent platform costs the encode nothing, which is the point.
 *
 * The stream key is part of the URL FFmpeg is given: it is masked in every line logged.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { endChild } from './encoder-process.js';

export type PusherState = 'CONNECTING' | 'ACTIVE' | 'FAILING';

export interface SimulcastPusherOptions {
  ffmpeg: string;
  /** The destination's name, for logs and alerts. */
  name: string;
  /** The full URL with the stream key (`rtmp://host/app/key`). */
  url: string;
  /** Masked in every line logged. */
  secret: string;
  logger: (line: string) => void;
  /** MediaLive's ConnectionRetryInterval. @default 2000 */
  retryMs?: number;
  /** The push started (ACTIVE) or failed (FAILING, with FFmpeg's reason). */
  onState?: (state: PusherState, message: string) => void;
}

const FLV_HEADER_BYTES = 13;
const TAG_HEADER_BYTES = 11;
const FLV_AUDIO = 8;
const FLV_VIDEO = 9;
const FLV_SCRIPT = 18;
/** A few seconds of an 8 Mb/s rendition: past this the destination is too slow and loses frames. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

export class SimulcastPusher {
  readonly #options: SimulcastPusherOptions;
  #state: PusherState = 'CONNECTING';
  #child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Set once the child has been given the header, sequence headers and a key frame. */
  #synced = false;
  /** Whether the current child has been given the start of the stream (a resync needs only frames). */
  #childStarted = false;
  #pending: Buffer = Buffer.alloc(0);
  #header: Buffer | undefined;
  #metadata: Buffer | undefined;
  #videoHeader: Buffer | undefined;
  #audioHeader: Buffer | undefined;
  #source: Readable | undefined;

  constructor(options: SimulcastPusherOptions) {
    this.#options = options;
  }

  /** Reads a new FLV stream (a new encoder run): the push restarts from its headers. */
  feed(source: Readable): void {
    this.#source?.removeAllListeners('data');
    this.#source = source;
    this.#pending = Buffer.alloc(0);
    this.#header = this.#metadata = this.#videoHeader = this.#audioHeader = undefined;
    this.#restartChild();
    source.on('data', (chunk: Buffer) => this.#onData(chunk));
    source.on('error', () => {});
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#source?.removeAllListeners('data');
    const child = this.#child;
    this.#child = undefined;
    if (child) await endChild(child, () => child.stdin.end());
  }

  #mask(text: string): string {
    return text.split(this.#options.secret).join('****');
  }

  #setState(state: PusherState, message: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.logger(
      `simulcast ${this.#options.name}: ${state.toLowerCase()}${message ? ` (${message})` : ''}`,
    );
    this.#options.onState?.(state, message);
  }

  #restartChild(): void {
    clearTimeout(this.#retry);
    const previous = this.#child;
    this.#child = undefined;
    if (previous) {
      previous.removeAllListeners('close');
      previous.kill('SIGKILL');
    }
    if (this.#stopped) return;
    this.#synced = false;
    this.#childStarted = false;
    const args =
      '-hide_banner -loglevel error -nostats -progress pipe:1 -stats_period 1 -f flv -i pipe:0 -c copy -f flv';
    const child = spawn(this.#options.ffmpeg, [...args.split(' '), this.#options.url]);
    this.#child = child;
    child.stdin.on('error', () => {});
    let reason = '';
    // A spawn that fails (process limit, a binary gone) must not end local mode: 'close' follows,
    // and the push is retried like any other that ended.
    child.on('error', (error) => {
      reason = this.#mask(`could not run FFmpeg: ${error.message}`).slice(0, 200);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = this.#mask(chunk)
        .split('\n')
        .filter((l) => l.trim() !== '');
      if (lines.length > 0) reason = (lines.at(-1) ?? '').slice(0, 200);
    });
    child.stdout.setEncoding('utf8');
    // FFmpeg reports progress once it writes to the destination: the connection is up.
    child.stdout.on('data', (chunk: string) => {
      if (chunk.includes('progress=') && this.#child === child) this.#setState('ACTIVE', '');
    });
    child.on('close', (code, signal) => {
      if (this.#child !== child || this.#stopped) return;
      this.#child = undefined;
      this.#setState('FAILING', reason || `the push ended (${signal ?? `code ${code}`})`);
      this.#retry = setTimeout(() => this.#restartChild(), this.#options.retryMs ?? 2_000);
    });
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    if (!this.#header) {
      if (this.#pending.length < FLV_HEADER_BYTES) return;
      this.#header = Buffer.from(this.#pending.subarray(0, FLV_HEADER_BYTES));
      this.#pending = this.#pending.subarray(FLV_HEADER_BYTES);
    }
    while (this.#pending.length >= TAG_HEADER_BYTES) {
      const size = TAG_HEADER_BYTES + this.#pending.readUIntBE(1, 3) + 4;
      if (this.#pending.length < size) return;
      const tag = Buffer.from(this.#pending.subarray(0, size));
      this.#pending = this.#pending.subarray(size);
      this.#onTag(tag);
    }
  }

  #onTag(tag: Buffer): void {
    const type = tag[0];
    const body0 = tag[TAG_HEADER_BYTES] ?? 0;
    const body1 = tag[TAG_HEADER_BYTES + 1];
    if (type === FLV_SCRIPT) {
      this.#metadata ??= tag;
      return;
    }
    if (type === FLV_VIDEO && (body0 & 0x0f) === 7 && body1 === 0) {
      this.#videoHeader = tag;
      if (this.#synced) this.#write(tag);
      return;
    }
    if (type === FLV_AUDIO && body0 >> 4 === 10 && body1 === 0) {
      this.#audioHeader = tag;
      if (this.#synced) this.#write(tag);
      return;
    }
    const child = this.#child;
    if (!child) return;
    const keyFrame = type === FLV_VIDEO && body0 >> 4 === 1;
    if (this.#synced && child.stdin.writableLength > MAX_BACKLOG_BYTES) this.#synced = false;
    if (!this.#synced) {
      if (
        !keyFrame ||
        !this.#header ||
        !this.#videoHeader ||
        child.stdin.writableLength > MAX_BACKLOG_BYTES / 2
      ) {
        return;
      }
      if (!this.#childStarted) {
        for (const part of [this.#header, this.#metadata, this.#videoHeader, this.#audioHeader])
          if (part) this.#write(part);
        this.#childStarted = true;
      }
      this.#synced = true;
    }
    this.#write(tag);
  }

  #write(buffer: Buffer): void {
    const child = this.#child;
    if (child && !child.stdin.destroyed) child.stdin.write(buffer);
  }
}
