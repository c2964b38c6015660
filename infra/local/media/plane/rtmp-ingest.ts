/**
 * The local RTMP ingest: what OBS or ffmpeg push to, like a MediaLive RTMP_PUSH input.
 *
 * It runs node-media-server 4's RTMP protocol engine (handshake, chunk stream, AMF commands) under
 * our own `net.Server` rather than its `NodeMediaServer` class, because that class does not fit an
 * embedded, testable service: its state is a process-wide singleton (one server per process, no
 * clean restart in tests), it cannot listen on port 0 nor report the bound port, it calls
 * `process.exit(1)` when the port is taken, it logs every stream path (the secret key) to stdout at
 * debug level, it writes a JSON store under `./data` of the working directory, and it keeps a
 * vanished publisher "alive" for 30 s. Routing here is ours: a publish is admitted only for a known
 * input stream name, and the only player allowed is the encoder, on a one-off internal name.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import Rtmp, { type RtmpAvPacket } from 'node-media-server/src/protocol/rtmp.js';
import { maskStreamPath } from './stream-key.js';

/** A live publish on `app/name`, as the encoder side sees it. */
export interface Publication {
  readonly id: string;
  readonly app: string;
  readonly name: string;
  readonly remoteAddress: string;
  /** Video sequence header and a key frame have arrived: an encoder joining now can decode. */
  readonly ready: boolean;
  /** An audio sequence header (or audio frame) arrived before the stream became ready. */
  readonly hasAudio: boolean;
}

export interface RtmpIngestOptions {
  host: string;
  port: number;
  /** Undefined admits the publish; a string refuses it, the string being the reason logged. */
  admitPublish(app: string, name: string): string | undefined;
  /** The publication can feed an encoder now. */
  onReady(publication: Publication): void;
  /** The publisher went away (or was refused after becoming ready: never). */
  onUnpublish(publication: Publication): void;
  logger: (line: string) => void;
}

/** An encoder's private playback URL for one publication; `release` forgets it. */
export interface EncoderFeed {
  url: string;
  release(): void;
}

// Flags of node-media-server's AV packets (flv.js parserTag).
const AUDIO_HEADER = 0;
const AUDIO_FRAME = 1;
const VIDEO_HEADER = 2;
const KEY_FRAME = 3;
const METADATA = 5;

/** The internal app the encoder plays from; publishing to it is refused like any unknown key. */
export const ENCODER_APP = '__encoder';
/** A peer that sends nothing for this long is gone. */
const PUBLISHER_IDLE_MS = 30_000;
/** An encoder this far behind the live input will never catch up: cut it, it gets restarted. */
const MAX_PLAYER_BACKLOG_BYTES = 64 * 1024 * 1024;
/** Bound on the cached group of pictures, as node-media-server does, for streams without key frames. */
const MAX_GOP_MESSAGES = 4096;
const STREAM_EOF = 1;

class LivePublication implements Publication {
  readonly id = randomBytes(6).toString('hex');
  ready = false;
  hasAudio = false;
  metadata: Buffer | undefined;
  audioHeader: Buffer | undefined;
  videoHeader: Buffer | undefined;
  /** RTMP messages since the last key frame, so a late encoder starts on a key frame. */
  gop: Buffer[] = [];
  readonly players = new Set<net.Socket>();

  constructor(
    readonly app: string,
    readonly name: string,
    readonly remoteAddress: string,
  ) {}

  /** Returns true when this packet made the publication ready. */
  accept(packet: RtmpAvPacket): boolean {
    const message = Rtmp.createMessage(packet);
    let becameReady = false;
    switch (packet.flags) {
      case METADATA:
        this.metadata = message;
        break;
      case AUDIO_HEADER:
        this.audioHeader = message;
        this.hasAudio = true;
        break;
      case VIDEO_HEADER:
        this.videoHeader = message;
        break;
      case KEY_FRAME:
        this.gop = [message];
        if (!this.ready && this.videoHeader) {
          this.ready = true;
          becameReady = true;
        }
        break;
      default:
        if (packet.flags === AUDIO_FRAME && !this.ready) this.hasAudio = true;
        if (this.gop.length > 0) this.gop.push(message);
        if (this.gop.length > MAX_GOP_MESSAGES) this.gop = [];
    }
    for (const player of this.players) send(player, message);
    return becameReady;
  }

  attach(player: net.Socket): void {
    for (const message of [this.metadata, this.audioHeader, this.videoHeader, ...this.gop]) {
      if (message) send(player, message);
    }
    this.players.add(player);
  }
}

function send(player: net.Socket, message: Buffer): void {
  if (player.destroyed) return;
  if (player.writableLength > MAX_PLAYER_BACKLOG_BYTES) {
    player.destroy();
    return;
  }
  player.write(message);
}

export class RtmpIngestServer {
  readonly #options: RtmpIngestOptions;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  /** Keyed by `app/name`. */
  readonly #publications = new Map<string, LivePublication>();
  /** Internal play name → the publication it plays. */
  readonly #feeds = new Map<string, LivePublication>();
  #port = 0;

  constructor(options: RtmpIngestOptions) {
    this.#options = options;
    this.#server = net.createServer((socket) => this.#handle(socket));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address ? address.port : this.#options.port;
    return this.#port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  publication(app: string, name: string): Publication | undefined {
    return this.#publications.get(`${app}/${name}`);
  }

  publications(): Publication[] {
    return [...this.#publications.values()];
  }

  /** A one-off URL from which FFmpeg plays this publication; no stream key appears in it. */
  encoderFeed(publication: Publication): EncoderFeed {
    const live = this.#publications.get(`${publication.app}/${publication.name}`);
    if (!live || live.id !== publication.id) throw new Error('the publication has ended');
    const name = randomBytes(12).toString('hex');
    this.#feeds.set(name, live);
    const host =
      this.#options.host === '0.0.0.0' || this.#options.host === '::' ? '127.0.0.1' : this.#options.host;
    return {
      url: `rtmp://${host.includes(':') ? `[${host}]` : host}:${this.#port}/${ENCODER_APP}/${name}`,
      release: () => this.#feeds.delete(name),
    };
  }

  #handle(socket: net.Socket): void {
    this.#sockets.add(socket);
    const rtmp = new Rtmp();
    const remote = socket.remoteAddress ?? 'unknown';
    let request: { app: string; name: string } | undefined;
    let published: LivePublication | undefined;
    let playing: LivePublication | undefined;
    // Until it publishes, and while it does, a peer that goes silent is gone (a pulled cable does
    // not close TCP); only the encoder, which mostly reads, is exempt.
    socket.setTimeout(PUBLISHER_IDLE_MS, () => socket.destroy());

    rtmp.onOutputCallback = (buffer) => {
      if (!socket.destroyed) socket.write(buffer);
    };
    rtmp.onConnectCallback = (req) => {
      request = { app: String(req.app), name: String(req.name) };
    };
    rtmp.onPushCallback = () => {
      if (!request) return;
      const { app, name } = request;
      const key = `${app}/${name}`;
      const reason =
        app === ENCODER_APP
          ? 'unknown stream key'
          : this.#publications.has(key)
            ? 'stream already has a publisher'
            : this.#options.admitPublish(app, name);
      if (reason !== undefined) {
        this.#options.logger(`rtmp: refused publish ${maskStreamPath(app, name)} from ${remote}: ${reason}`);
        rtmp.sendStatusMessage(rtmp.streamId, 'error', 'NetStream.Publish.BadName', reason);
        socket.end();
        return;
      }
      published = new LivePublication(app, name, remote);
      this.#publications.set(key, published);
      this.#options.logger(`rtmp: publish started ${maskStreamPath(app, name)} from ${remote}`);
    };
    rtmp.onPlayCallback = () => {
      const live = request && request.app === ENCODER_APP ? this.#feeds.get(request.name) : undefined;
      if (!live || this.#publications.get(`${live.app}/${live.name}`) !== live) {
        const shown = request ? maskStreamPath(request.app, request.name) : 'unknown stream';
        this.#options.logger(`rtmp: refused play ${shown} from ${remote}: not an encoder feed`);
        rtmp.sendStatusMessage(rtmp.streamId, 'error', 'NetStream.Play.StreamNotFound', 'no such stream');
        socket.end();
        return;
      }
      playing = live;
      socket.setTimeout(0);
      live.attach(socket);
    };
    rtmp.onPacketCallback = (packet) => {
      if (!published) return;
      if (published.accept(packet)) this.#options.onReady(published);
    };

    socket.on('data', (data: Buffer) => {
      const error = rtmp.parserData(data);
      if (error) {
        this.#options.logger(`rtmp: protocol error from ${remote}: ${error}`);
        socket.destroy();
      }
    });
    socket.on('error', () => {
      // 'close' follows every socket error; the cleanup lives there.
    });
    socket.on('close', () => {
      this.#sockets.delete(socket);
      playing?.players.delete(socket);
      if (published && this.#publications.get(`${published.app}/${published.name}`) === published) {
        this.#publications.delete(`${published.app}/${published.name}`);
        for (const [name, live] of this.#feeds) if (live === published) this.#feeds.delete(name);
        for (const player of published.players) {
          // The encoder reads an end of stream, flushes its outputs and exits cleanly.
          const eof = Buffer.from('020000000000060400000000000000000000', 'hex');
          eof.writeUInt16BE(STREAM_EOF, 12);
          eof.writeUInt32BE(1, 14);
          if (!player.destroyed) player.end(eof);
        }
        published.players.clear();
        this.#options.logger(`rtmp: publish ended ${maskStreamPath(published.app, published.name)}`);
        this.#options.onUnpublish(published);
      }
    });
  }
}
