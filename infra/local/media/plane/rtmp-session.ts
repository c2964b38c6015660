/**
 * node-media-server's RTMP engine with every way a peer could make it throw closed at the source.
 *
 * The engine (node-media-server 4.4.3, src/protocol/rtmp.js) parses whatever arrives: before this
 * guard an RTMP `connect` without `tcUrl` (`new URL(undefined)`), a `publish` or `play` without a
 * stream name (`undefined.split`), a command named `constructor` (a lookup on a plain object), an
 * AMF0 value cut short or with an unknown marker, a Set Chunk Size or Window Acknowledgement Size of
 * fewer than 4 bytes on a fresh chunk stream, a zero-length video message, or a long string echoed
 * back in a response (`writeUInt16BE` of a length over 65,535) each threw out of `parserData` and,
 * from a socket's 'data' handler, ended the process. It also allocates each message's buffer from
 * the length in its header before any payload arrives (16 MB for 11 bytes, on as many chunk streams
 * as the peer names), takes a chunk size of 0 (the parser then stops making progress), and lets a
 * new message header land in the middle of a message (the parser then reads backwards).
 *
 * `GuardedRtmp` overrides the engine's steps where they trust the peer: commands are decoded with
 * the strict decoder of amf0.ts and checked before anything answers them, control messages and
 * chunk headers are validated, buffers are bounded (small until a publish is admitted), and media
 * is only parsed from an admitted publisher. A violation throws `RtmpProtocolError`, which the
 * ingest turns into one log line and a closed connection; anything else still thrown is caught at
 * the connection boundary (rtmp-ingest.ts).
 */
import Rtmp, { type RtmpChunkPacket } from 'node-media-server/src/protocol/rtmp.js';
import { Amf0Error, type Amf0Value, decodeAmf0, isAmf0Object } from './amf0.js';

/** The peer broke the protocol or asked for something refused; `graceful`: answered, end politely. */
export class RtmpProtocolError extends Error {
  constructor(
    message: string,
    readonly graceful = false,
  ) {
    super(message);
    this.name = 'RtmpProtocolError';
  }
}

/** C0: the only RTMP version there is (RTMP specification 1.0, 5.2.2); 6 is RTMPE. */
const RTMP_VERSION = 3;
const HANDSHAKE_UNINIT = 0;

// Message type ids (RTMP specification 1.0, 5.4 and 7.1).
const SET_CHUNK_SIZE = 1;
const ABORT = 2;
const WINDOW_ACKNOWLEDGEMENT_SIZE = 5;
const AUDIO = 8;
const VIDEO = 9;
const FLEX_STREAM = 15;
const FLEX_MESSAGE = 17;
const DATA = 18;

/** A chunk size is 31 bits and at least 1 (RTMP specification 1.0, 5.4.1). */
const MAX_CHUNK_SIZE = 0x7fffffff;
/** Chunk streams a peer may open; encoders use a handful (FFmpeg: 2 to 8). */
const MAX_CHUNK_STREAMS = 32;
/** Commands, control and metadata messages, and any message before a publish is admitted. */
const MAX_COMMAND_BYTES = 64 * 1024;
/** A publisher's audio and video: the format's own limit (a 24-bit length). */
const MAX_MEDIA_BYTES = 0xffffff;
/** All message buffers of one connection together (the engine keeps one per chunk stream). */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
/** The engine allocates this much more than a message needs. */
const ENGINE_SLACK_BYTES = 1024;
/** `createStream` calls answered on one connection; an encoder needs one. */
const MAX_STREAMS = 8;
/** App and stream names: printable ASCII, no spaces (they end up in logs and routing keys). */
const NAME = /^[\x21-\x7e]{1,1024}$/;

type Phase = 'new' | 'connected' | 'requested' | 'publishing' | 'closed';

/** The chunk stream id exactly as the engine computes it (its key in `inPackets`). */
function engineChunkStreamId(buffer: Buffer, basicBytes: number): number {
  const first = buffer[0] ?? 0;
  if (basicBytes === 2) return 64 + (buffer[1] ?? 0);
  if (basicBytes === 3) return (64 + (buffer[1] ?? 0) + (buffer[2] ?? 0)) << 8;
  return first & 0x3f;
}

export class GuardedRtmp extends Rtmp {
  #phase: Phase = 'new';

  constructor() {
    super();
    // The engine's constructor allocates a 1 MB FLV tag parser that RTMP never uses: with a
    // thousand short hostile connections a second, keeping it would hold a gigabyte.
    this.flv = undefined;
  }

  /** Set by the ingest: a publish or play of `app/name` awaits `acceptPublish` or `refuse`. */
  onRequest: (command: 'publish' | 'play', app: string, name: string) => void = () => {};

  override parserData(buffer: Buffer): string | null {
    if (this.#phase === 'closed') return null;
    if (this.handshakeState === HANDSHAKE_UNINIT && buffer.length > 0 && buffer[0] !== RTMP_VERSION) {
      throw new RtmpProtocolError(`handshake with RTMP version ${buffer[0]}, not ${RTMP_VERSION}`);
    }
    return super.parserData(buffer);
  }

  /** The ingest admitted the publish: say so and accept media. */
  acceptPublish(): void {
    if (this.#phase !== 'requested') return;
    this.#phase = 'publishing';
    this.respondPublish();
  }

  /** Answers the pending publish or play with an error status; nothing is parsed afterwards. */
  refuse(code: string, description: string): void {
    this.sendStatusMessage(this.streamId, 'error', code, description);
    this.#phase = 'closed';
  }

  /** Stops parsing: whatever else the peer sends is ignored. */
  close(): void {
    this.#phase = 'closed';
  }

  protected override packetParse(): void {
    const fmt = (this.parserBuffer[0] ?? 0) >> 6;
    const cid = engineChunkStreamId(this.parserBuffer, this.parserBasicBytes);
    const known = this.inPackets.get(cid);
    // A type 0, 1 or 2 header starts a message; mid-message only type 3 may follow (5.3.1.2).
    if (known && known.bytes > 0 && fmt !== 3) {
      throw new RtmpProtocolError(`a type ${fmt} chunk header in the middle of a message`);
    }
    if (!known && this.inPackets.size >= MAX_CHUNK_STREAMS) {
      throw new RtmpProtocolError(`more than ${MAX_CHUNK_STREAMS} chunk streams`);
    }
    super.packetParse();
  }

  protected override packetAlloc(): void {
    const packet = this.parserPacket;
    const { length, type } = packet.header;
    const limit =
      this.#phase === 'publishing' && (type === AUDIO || type === VIDEO)
        ? MAX_MEDIA_BYTES
        : MAX_COMMAND_BYTES;
    if (length > limit) {
      throw new RtmpProtocolError(`a ${length}-byte message of type ${type}, over the ${limit} allowed`);
    }
    if (packet.capacity < length) {
      let held = length + ENGINE_SLACK_BYTES;
      for (const other of this.inPackets.values()) if (other !== packet) held += other.capacity;
      if (held > MAX_BUFFERED_BYTES) {
        throw new RtmpProtocolError(`message buffers over ${MAX_BUFFERED_BYTES} bytes`);
      }
    }
    super.packetAlloc();
  }

  protected override packetHandler(): void {
    if (this.#phase === 'closed') return;
    super.packetHandler();
  }

  protected override controlHandler(): void {
    const { header, payload } = this.parserPacket;
    if (
      header.type !== SET_CHUNK_SIZE &&
      header.type !== ABORT &&
      header.type !== WINDOW_ACKNOWLEDGEMENT_SIZE
    ) {
      return; // acknowledgements and peer bandwidth: nothing to do, as the engine does
    }
    if (header.length < 4)
      throw new RtmpProtocolError(`a control message of type ${header.type} under 4 bytes`);
    const value = payload.readUInt32BE(0);
    if (header.type === SET_CHUNK_SIZE) {
      if (value < 1 || value > MAX_CHUNK_SIZE) throw new RtmpProtocolError(`chunk size ${value}`);
      this.inChunkSize = value;
    } else if (header.type === ABORT) {
      // Discard the partial message of that chunk stream (5.4.2); the engine ignored it.
      const aborted: RtmpChunkPacket | undefined = this.inPackets.get(value);
      if (aborted && aborted !== this.parserPacket) aborted.bytes = 0;
    } else {
      this.ackSize = value;
    }
  }

  protected override invokeHandler(): void {
    const { header, payload } = this.parserPacket;
    // AMF3 command messages carry one format byte, then AMF0 (7.1.1).
    const body = payload.subarray(header.type === FLEX_MESSAGE ? 1 : 0, header.length);
    let values: Amf0Value[];
    try {
      values = decodeAmf0(body);
    } catch (error) {
      if (error instanceof Amf0Error) throw new RtmpProtocolError(`malformed command: ${error.message}`);
      throw error;
    }
    const [name, transaction, commandObject, ...args] = values;
    if (typeof name !== 'string') throw new RtmpProtocolError('a command without a name');
    const transactionId = typeof transaction === 'number' && Number.isFinite(transaction) ? transaction : 0;
    switch (name) {
      case 'connect':
        this.#connect(transactionId, commandObject);
        return;
      case 'createStream':
        this.#requireConnected(name);
        if (this.streams >= MAX_STREAMS) throw new RtmpProtocolError(`more than ${MAX_STREAMS} createStream`);
        this.respondCreateStream(transactionId);
        return;
      case 'publish':
        this.#request('publish', args[0]);
        return;
      case 'play':
        this.#request('play', args[0]);
        return;
      default:
        // releaseStream, FCPublish, deleteStream, FCUnpublish, _checkbw…: no answer is needed (the
        // engine answers none of them either); the end of a publish is the socket's close.
        return;
    }
  }

  protected override dataHandler(): void {
    // Media from a connection that was not admitted is not even parsed.
    if (this.#phase !== 'publishing') return;
    const { type, length } = this.parserPacket.header;
    // AMF3 data messages: FFmpeg and OBS send AMF0 metadata; the encoder reads only that.
    if (type === FLEX_STREAM) return;
    // The tag parser reads the codec header bytes (video: 5) of every message.
    if ((type === VIDEO && length < 5) || ((type === AUDIO || type === DATA) && length < 1)) return;
    super.dataHandler();
  }

  #requireConnected(command: string): void {
    if (this.#phase === 'new') throw new RtmpProtocolError(`${command} before connect`);
  }

  #connect(transactionId: number, commandObject: Amf0Value): void {
    if (this.#phase !== 'new') throw new RtmpProtocolError('a second connect');
    const app = isAmf0Object(commandObject) ? commandObject.app : undefined;
    if (!isAmf0Object(commandObject) || typeof app !== 'string' || !NAME.test(app)) {
      this.sendInvokeMessage(0, {
        cmd: '_error',
        transId: transactionId,
        cmdObj: null,
        info: {
          level: 'error',
          code: 'NetConnection.Connect.Rejected',
          description: 'connect needs an app name',
        },
      });
      this.#phase = 'closed';
      throw new RtmpProtocolError('connect without an app name', true);
    }
    // tcUrl is not read (the engine only took the host it was reached by from it): routing needs
    // app and name alone, so a client that leaves it out (or sends garbage) still connects.
    this.streamApp = app;
    this.objectEncoding = commandObject.objectEncoding === 3 ? 3 : 0;
    this.#phase = 'connected';
    // The engine's own answer to a connect (window size, bandwidth, chunk size, _result).
    this.sendWindowACK(5_000_000);
    this.setPeerBandwidth(5_000_000, 2);
    this.setChunkSize(this.outChunkSize);
    this.respondConnect(transactionId);
  }

  #request(command: 'publish' | 'play', nameValue: Amf0Value): void {
    this.#requireConnected(command);
    if (this.#phase !== 'connected') {
      throw new RtmpProtocolError(`${command} on a connection that already published or played`);
    }
    this.streamId = this.parserPacket.header.stream_id;
    const name = typeof nameValue === 'string' ? nameValue.split('?', 1)[0] : undefined;
    if (name === undefined || !NAME.test(name)) {
      this.refuse(
        command === 'publish' ? 'NetStream.Publish.BadName' : 'NetStream.Play.StreamNotFound',
        'a stream name is required',
      );
      throw new RtmpProtocolError(`${command} without a valid stream name`, true);
    }
    this.streamName = name;
    this.#phase = 'requested';
    this.onRequest(command, this.streamApp ?? '', name);
  }
}
