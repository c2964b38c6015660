/**
 * The local RTMP ingest: what OBS or ffmpeg push to, like a MediaLive RTMP_PUSH input.
 *
 * It runs node-media-server 4's RTMP protocol engine (handshake, chunk stream, AMF commands), under
 * `GuardedRtmp` (rtmp-session.ts), on our own `net.Server` rather than its `NodeMediaServer` class,
 * because that class does not fit an embedded, testable service: its state is a process-wide
 * singleton (one server per process, no clean restart in tests), it cannot listen on port 0 nor
 * report the bound port, it calls `process.exit(1)` when the port is taken, it logs every stream
 * path (the secret key) to stdout at debug level, it writes a JSON store under `./data` of the
 * working directory, and it keeps a vanished publisher "alive" for 30 s. Routing here is ours: a
 * publish is admitted only for a known input stream name; nobody plays (the channel encoders take
 * the packets in-process through `subscribe`).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { RtmpAvPacket } from 'node-media-server/src/protocol/rtmp.js';
import type { RelayPacket } from './input-relay.js';
import { GuardedRtmp, RtmpProtocolError } from './rtmp-session.js';

export interface RtmpIngestOptions {
  host: string;
  port: number;
  /** Undefined admits the publish; a string refuses it, the string being the reason logged. */
  admitPublish(app: string, name: string): string | undefined;
  /** The publication can feed an encoder now. */
  onReady(publication: Publication): void;
  /** The publisher went away. */
  onUnpublish(publication: Publication): void;
  logger: (line: string) => void;
}

// Flags of node-media-server's AV packets (flv.js parserTag).
const AUDIO_HEADER = 0;
const AUDIO_FRAME = 1;
const VIDEO_HEADER = 2;
const KEY_FRAME = 3;

/** A peer that sends nothing for this long is gone. */
const PUBLISHER_IDLE_MS = 30_000;
/** A connection must publish this soon after it opens. */
const SETUP_DEADLINE_MS = 10_000;
/** After a refusal the peer gets this long to read the answer and close. */
const GRACEFUL_CLOSE_MS = 2_000;
/** Answers a peer may leave unread before it publishes (a connect's answers are under 1 KB). */
const MAX_UNREAD_ANSWER_BYTES = 256 * 1024;
/** Open RTMP connections; local mode needs a publisher or two per input. */
const MAX_CONNECTIONS = 128;
/** At most one line per this period about connections refused for being over MAX_CONNECTIONS. */
const DROP_LOG_PERIOD_MS = 10_000;
/** Peer-error text in a log line (Node's own messages fit; anything longer is not worth a line). */
const MAX_REASON_CHARS = 160;

/** Stream keys are secrets, like passwords: logs show enough of one to tell streams apart. */
export function maskStreamKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 4)}…(${key.length} chars)`;
}

export function maskStreamPath(app: string, key: string): string {
  return `${app}/${maskStreamKey(key)}`;
}

/** Listens on `port` (0: any free one) and resolves with the port bound. */
export async function listenOn(server: net.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

export async function closeServer(server: net.Server): Promise<void> {
  if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
}

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

/** A live publish on `app/name` (RTMP or SRT): what a channel's input relay follows. */
export class Publication {
  readonly id = randomBytes(6).toString('hex');
  /** Video sequence header and a key frame have arrived: an encoder joining now can decode. */
  ready = false;
  /** An audio sequence header (or audio frame) arrived before the stream became ready. */
  hasAudio = false;
  /** What arrived so far, for the channel's input metrics: audio and video payload bytes, and
   * video frames (sequence headers excepted). */
  readonly stats = { bytes: 0, videoFrames: 0 };
  /** The latest sequence headers, for a subscriber that joins later. */
  #audioHeader: RelayPacket | undefined;
  #videoHeader: RelayPacket | undefined;
  readonly #subscribers = new Set<(packet: RelayPacket) => void>();
  #ended = false;

  constructor(
    readonly app: string,
    readonly name: string,
  ) {}

  /** For log lines (never the stream key). */
  get label(): string {
    return maskStreamPath(this.app, this.name);
  }

  /**
   * Takes one packet of the publisher. `onReady` runs when this packet makes the publication ready,
   * before the packet is handed on: an encoder that subscribes then gets this key frame, and joins
   * the stream now rather than one GOP later.
   */
  accept(avPacket: RtmpAvPacket, onReady: () => void): void {
    // The parser reuses its buffer: each packet kept or handed on gets its own copy.
    const packet: RelayPacket = {
      type: avPacket.codec_type,
      flags: avPacket.flags,
      codecId: avPacket.codec_id,
      dts: avPacket.dts,
      data: Buffer.from(avPacket.data.subarray(0, avPacket.size)),
    };
    this.stats.bytes += packet.data.length;
    if (packet.type === 9 && packet.flags !== VIDEO_HEADER) this.stats.videoFrames += 1;
    if (packet.type === 8 && packet.flags === AUDIO_HEADER) {
      this.#audioHeader = packet;
      this.hasAudio = true;
    } else if (packet.type === 8 && packet.flags === AUDIO_FRAME && !this.ready) {
      this.hasAudio = true;
    } else if (packet.type === 9 && packet.flags === VIDEO_HEADER) {
      this.#videoHeader = packet;
    } else if (packet.type === 9 && packet.flags === KEY_FRAME && !this.ready && this.#videoHeader) {
      this.ready = true;
      onReady();
    }
    for (const subscriber of this.#subscribers) subscriber(packet);
  }

  /**
   * The packets as they arrive (the sequence headers first), for a channel's input relay; returns
   * the unsubscribe. Nothing is delivered once the publisher has gone.
   */
  subscribe(listener: (packet: RelayPacket) => void): () => void {
    if (this.#ended) return () => {};
    for (const header of [this.#videoHeader, this.#audioHeader]) if (header) listener(header);
    this.#subscribers.add(listener);
    return () => this.#subscribers.delete(listener);
  }

  end(): void {
    this.#ended = true;
    this.#subscribers.clear();
  }
}

export class RtmpIngestServer {
  readonly #options: RtmpIngestOptions;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  /** Keyed by `app/name`. */
  readonly #publications = new Map<string, Publication>();
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
    const port = await listenOn(this.#server, this.#options.port, this.#options.host);
    // Once listening, an error is a failed accept (EMFILE when out of descriptors): the server goes
    // on listening, and without a listener the error would end the process.
    this.#server.on('error', (error) => this.#options.logger(`rtmp: ${error.message}`));
    return port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await closeServer(this.#server);
  }

  publication(app: string, name: string): Publication | undefined {
    return this.#publications.get(`${app}/${name}`);
  }

  publications(): Publication[] {
    return [...this.#publications.values()];
  }

  #handle(socket: net.Socket): void {
    this.#sockets.add(socket);
    const rtmp = new GuardedRtmp();
    const remote = socket.remoteAddress ?? 'unknown';
    let request: { app: string; name: string } | undefined;
    let published: Publication | undefined;
    let closing = false;
    let graceTimer: NodeJS.Timeout | undefined;
    // Until it publishes, and while it does, a peer that goes silent is gone (a pulled cable does
    // not close TCP).
    socket.setTimeout(PUBLISHER_IDLE_MS, () => socket.destroy());
    // A peer that trickles bytes never goes idle: it must have published by then.
    const setupDeadline = setTimeout(() => {
      if (published || socket.destroyed) return;
      this.#options.logger(
        `rtmp: closed a connection from ${remote}: no publish within ${SETUP_DEADLINE_MS} ms`,
      );
      socket.destroy();
    }, SETUP_DEADLINE_MS);

    /** Ends the connection, `gracefully` after its answer is flushed (a peer that never closes is cut). */
    const end = (gracefully: boolean) => {
      closing = true;
      rtmp.close();
      if (!gracefully) return socket.destroy();
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
        return end(false);
      }
      const reason = describePeerError(error, request?.name);
      this.#options.logger(`rtmp: closed the connection from ${remote} (${shown}): ${reason}`);
      end(error instanceof RtmpProtocolError && error.graceful);
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
      // A peer gets a few small answers; one that does not read them is not an RTMP client.
      if (socket.writableLength > MAX_UNREAD_ANSWER_BYTES) {
        throw new RtmpProtocolError('the peer does not read its answers');
      }
      socket.write(buffer);
    };
    rtmp.onRequest = callback((command, app, name) => {
      request = { app, name };
      const key = `${app}/${name}`;
      // Viewers watch the HLS origin; the encoders read the publications in-process.
      const reason =
        command === 'play'
          ? 'playing is not offered'
          : this.#publications.has(key)
            ? 'stream already has a publisher'
            : this.#options.admitPublish(app, name);
      if (reason !== undefined) {
        this.#options.logger(
          `rtmp: refused ${command} ${maskStreamPath(app, name)} from ${remote}: ${reason}`,
        );
        if (command === 'play') rtmp.refuse('NetStream.Play.StreamNotFound', 'no such stream');
        else rtmp.refuse('NetStream.Publish.BadName', reason);
        end(true);
        return;
      }
      clearTimeout(setupDeadline);
      rtmp.acceptPublish();
      published = new Publication(app, name);
      this.#publications.set(key, published);
      this.#options.logger(`rtmp: publish started ${maskStreamPath(app, name)} from ${remote}`);
    });
    rtmp.onPacketCallback = callback((packet) => {
      const publication = published;
      publication?.accept(packet, () => this.#options.onReady(publication));
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
      if (published && this.#publications.get(`${published.app}/${published.name}`) === published) {
        this.#publications.delete(`${published.app}/${published.name}`);
        published.end();
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
