/**
 * Types for the parts of node-media-server 4 the RTMP ingest uses: its RTMP protocol engine
 * (handshake, chunk stream, AMF commands). The package ships JavaScript with JSDoc only. The
 * protected members are the engine's internals that `GuardedRtmp` (rtmp-session.ts) overrides or
 * checks to keep peer input from throwing inside it.
 */
declare module 'node-media-server/src/protocol/rtmp.js' {
  /** One audio/video/data message; `data` is the parser's reused buffer: copy before keeping it. */
  export interface RtmpAvPacket {
    codec_id: number;
    /** 8 audio, 9 video, 18 AMF0 data. */
    codec_type: number;
    /** 0 audio sequence header, 1 audio frame, 2 video sequence header, 3 key frame, 4 inter frame, 5 metadata. */
    flags: number;
    dts: number;
    size: number;
    data: Buffer;
  }

  /** The message being reassembled on one chunk stream. */
  export interface RtmpChunkPacket {
    header: { length: number; type: number; stream_id: number };
    /** `capacity` bytes, reused for every message of the chunk stream. */
    payload: Buffer;
    capacity: number;
    /** Payload bytes received so far of the current message. */
    bytes: number;
  }

  class Rtmp {
    onPacketCallback: (packet: RtmpAvPacket) => void;
    onOutputCallback: (buffer: Buffer) => void;
    /** Returns an error message, or null. */
    parserData(buffer: Buffer): string | null;
    sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
    streamId: number;

    /** 0 until C0 arrives, 3 once C2 has (then chunks are parsed). */
    protected handshakeState: number;
    /** The chunk header being read: basic header, then message header. */
    protected parserBuffer: Buffer;
    protected parserBasicBytes: number;
    protected parserPacket: RtmpChunkPacket;
    /** Chunk stream id → its message being reassembled. */
    protected inPackets: Map<number, RtmpChunkPacket>;
    protected inChunkSize: number;
    protected outChunkSize: number;
    protected ackSize: number | undefined;
    protected streams: number;
    /** An FLV parser the engine allocates (1 MB) and never uses. */
    protected flv: unknown;
    protected objectEncoding: number;
    protected streamApp: string | undefined;
    protected streamName: string | undefined;

    protected packetParse(): void;
    protected packetAlloc(): void;
    protected packetHandler(): void;
    protected controlHandler(): void;
    protected invokeHandler(): void;
    protected dataHandler(): void;
    protected sendWindowACK(size: number): void;
    protected setPeerBandwidth(size: number, type: number): void;
    protected setChunkSize(size: number): void;
    protected sendInvokeMessage(streamId: number, message: Record<string, unknown>): void;
    protected respondConnect(transactionId: number): void;
    protected respondCreateStream(transactionId: number): void;
    protected respondPublish(): void;
  }
  export = Rtmp;
}

declare module 'node-media-server/src/protocol/flv.js' {
  import type { RtmpAvPacket } from 'node-media-server/src/protocol/rtmp.js';

  /** node-media-server's FLV reader: tags in, one packet per tag out (`data` is reused). */
  class Flv {
    onPacketCallback: (packet: RtmpAvPacket) => void;
    /** Returns an error message, or null. */
    parserData(buffer: Buffer): string | null;
  }
  export = Flv;
}
