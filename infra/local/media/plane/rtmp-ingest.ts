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
import { GuardedRtmp, RtmpProtocolError } from './rtmp-session.js';
import { maskStreamKey, maskStreamPath } from './stream-key.js';

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
/** …and on its bytes: a GOP of a 1080p stream at 8 Mb/s and 2 s is about 2 MB. */
const MAX_GOP_BYTES = 64 * 1024 * 1024;
const STREAM_EOF = 1;
/** A connection must publish (or, for the encoder, play) this soon after it opens. */
const SETUP_DEADLINE_MS = 10_000;
/** After a refusal the peer gets this long to read the answer and close. */
const GRACEFUL_CLOSE_MS = 2_000;
/** Answers a peer may leave unread before it publishes (a connect's answers are under 1 KB). */
const MAX_UNREAD_ANSWER_BYTES = 256 * 1024;
/** Open RTMP connections; local mode needs a few publishers and one encoder per channel. */
const MAX_CONNECTIONS = 128;
/** At most one line per this period about connections refused for being over MAX_CONNECTIONS. */
const DROP_LOG_PERIOD_MS = 10_000;
/** Peer-error text in a log line (Node's own messages fit; anything longer is not worth a line). */
const MAX_REASON_CHARS = 160;

/** An error thrown by one of the ingest's own callbacks (a bug of this service, not the peer's). */
class IngestCallbackError extends Error {
  constructor(cause: unknown) {
    super('an RTMP ingest callback failed', { cause });
    this.name = 'IngestCallbackError';
  }
}

/**
 * One line about what a peer's bytes made the RTMP engine throw. `RtmpProtocolError` messages are
 * this module's own and never hold a name; any other error's message is cut, kept to printable
 * ASCII, and the stream name the peer asked for (a stream key, maybe a valid one) is masked out.
 */
function describePeerError(error: unknown, requestedName: string | undefined): string {
  if (error instanceof RtmpProtocolError) return error.message;
  const name = error instanceof Error ? error.name : typeof error;
  let message = (error instanceof Error ? error.message : String(error)).replace(/[^\x20-\x7e]/g, '?');
  if (requestedName) message = message.split(requestedName).join(maskStreamKey(requestedName));
  return `unexpected ${name} in the RTMP engine: ${message.slice(0, MAX_REASON_CHARS)}`;
}

class LivePublication implements Publication {
  readonly id = randomBytes(6).toString('hex');
  ready = false;
  hasAudio = false;
  metadata: Buffer | undefined;
  audioHeader: Buffer | undefined;
  videoHeader: Buffer | undefined;
  /** RTMP messages since the last key frame, so a late encoder starts on a key frame. */
  gop: Buffer[] = [];
  gopBytes = 0;
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
        this.gopBytes = message.length;
        if (!this.ready && this.videoHeader) {
          this.ready = true;
          becameReady = true;
        }
        break;
      default:
        if (packet.flags === AUDIO_FRAME && !this.ready) this.hasAudio = true;
        if (this.gop.length > 0) {
          this.gop.push(message);
          this.gopBytes += message.length;
        }
        if (this.gop.length > MAX_GOP_MESSAGES || this.gopBytes > MAX_GOP_BYTES) {
          this.gop = [];
          this.gopBytes = 0;
        }
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
  #lastDropLog = 0;

  constructor(options: RtmpIngestOptions) {
    this.#options = options;
    this.#server = net.createServer((socket) => this.#handle(socket));
    this.#server.maxConnections = MAX_CONNECTIONS;
    this.#server.on('drop', (data) => {
      if (Date.now() - this.#lastDropLog < DROP_LOG_PERIOD_MS) return;
      this.#lastDropLog = Date.now();
      this.#options.logger(
        `rtmp: refusing connections over ${MAX_CONNECTIONS} (latest from ${data?.remoteAddress ?? 'unknown'})`,
      );
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        // Once listening, an error is a failed accept (EMFILE when out of descriptors): the
        // server goes on listening, and without a listener the error would end the process.
        this.#server.on('error', (error) => this.#options.logger(`rtmp: ${error.message}`));
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
    const rtmp = new GuardedRtmp();
    const remote = socket.remoteAddress ?? 'unknown';
    let request: { app: string; name: string } | undefined;
    let published: LivePublication | undefined;
    let playing: LivePublication | undefined;
    let closing = false;
    let graceTimer: NodeJS.Timeout | undefined;
    // Until it publishes, and while it does, a peer that goes silent is gone (a pulled cable does
    // not close TCP); only the encoder, which mostly reads, is exempt.
    socket.setTimeout(PUBLISHER_IDLE_MS, () => socket.destroy());
    // A peer that trickles bytes never goes idle: it must have published (or played) by then.
    const setupDeadline = setTimeout(() => {
      if (published || playing || socket.destroyed) return;
      this.#options.logger(
        `rtmp: closed a connection from ${remote}: no publish within ${SETUP_DEADLINE_MS} ms`,
      );
      socket.destroy();
    }, SETUP_DEADLINE_MS);

    /** Ends the connection after its answer is flushed; a peer that never closes is cut. */
    const endGracefully = () => {
      closing = true;
      rtmp.close();
      socket.end();
      graceTimer = setTimeout(() => socket.destroy(), GRACEFUL_CLOSE_MS);
    };
    /**
     * The connection boundary: whatever one peer's bytes make the RTMP engine throw ends that
     * connection only. Errors of this module's own callbacks (the rest of the local service) are
     * wrapped in `IngestCallbackError` on their way out and logged in full as internal errors.
     */
    const contain = (error: unknown) => {
      const shown = request ? maskStreamPath(request.app, request.name) : 'before publish';
      if (error instanceof IngestCallbackError) {
        const cause =
          error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause);
        this.#options.logger(
          `rtmp: internal error on the connection from ${remote} (${shown}), closed: ${cause}`,
        );
        closing = true;
        rtmp.close();
        socket.destroy();
        return;
      }
      const reason = describePeerError(error, rtmp.requestedName);
      this.#options.logger(`rtmp: closed the connection from ${remote} (${shown}): ${reason}`);
      if (error instanceof RtmpProtocolError && error.graceful) {
        endGracefully();
      } else {
        closing = true;
        rtmp.close();
        socket.destroy();
      }
    };
    const callback =
      <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A): void => {
        try {
          handler(...args);
        } catch (error) {
          throw new IngestCallbackError(error);
        }
      };

    rtmp.onOutputCallback = (buffer) => {
      if (socket.destroyed) return;
      // Before it publishes, a peer gets a few small answers; one that does not read them is not
      // an RTMP client (the encoder's backlog is bounded in `send`).
      if (!playing && socket.writableLength > MAX_UNREAD_ANSWER_BYTES) {
        throw new RtmpProtocolError('the peer does not read its answers');
      }
      socket.write(buffer);
    };
    rtmp.onConnectCallback = callback((req) => {
      request = { app: String(req.app), name: String(req.name) };
    });
    rtmp.onPushCallback = callback(() => {
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
        rtmp.refuse('NetStream.Publish.BadName', reason);
        endGracefully();
        return;
      }
      clearTimeout(setupDeadline);
      rtmp.acceptPublish();
      published = new LivePublication(app, name, remote);
      this.#publications.set(key, published);
      this.#options.logger(`rtmp: publish started ${maskStreamPath(app, name)} from ${remote}`);
    });
    rtmp.onPlayCallback = callback(() => {
      const live = request && request.app === ENCODER_APP ? this.#feeds.get(request.name) : undefined;
      if (!live || this.#publications.get(`${live.app}/${live.name}`) !== live) {
        const shown = request ? maskStreamPath(request.app, request.name) : 'unknown stream';
        this.#options.logger(`rtmp: refused play ${shown} from ${remote}: not an encoder feed`);
        rtmp.refuse('NetStream.Play.StreamNotFound', 'no such stream');
        endGracefully();
        return;
      }
      clearTimeout(setupDeadline);
      rtmp.acceptPlay();
      playing = live;
      socket.setTimeout(0);
      live.attach(socket);
    });
    rtmp.onPacketCallback = callback((packet) => {
      if (!published) return;
      if (published.accept(packet)) this.#options.onReady(published);
    });

    socket.on('data', (data: Buffer) => {
      if (closing) return;
      try {
        const error = rtmp.parserData(data);
        if (error) throw new RtmpProtocolError(error);
      } catch (error) {
        contain(error);
      }
    });
    socket.on('error', () => {
      // 'close' follows every socket error; the cleanup lives there.
    });
    socket.on('close', () => {
      // Timers hold this connection's state (the engine's buffers) until they fire.
      clearTimeout(setupDeadline);
      clearTimeout(graceTimer);
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
        try {
          this.#options.onUnpublish(published);
        } catch (error) {
          // An event listener's throw would end the process: log this service's bug in full.
          const cause = error instanceof Error ? (error.stack ?? error.message) : String(error);
          this.#options.logger(`rtmp: internal error after a publish ended: ${cause}`);
        }
      }
    });
  }
}
