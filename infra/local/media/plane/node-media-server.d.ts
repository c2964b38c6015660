/**
 * Types for the parts of node-media-server 4 the RTMP ingest uses: its RTMP protocol engine
 * (handshake, chunk stream, AMF commands). The package ships JavaScript with JSDoc only.
 */
declare module 'node-media-server/src/protocol/rtmp.js' {
  /** One audio/video/data message; `data` is the parser's reused buffer: copy before keeping it. */
  export interface RtmpAvPacket {
    codec_id: number;
    /** 8 audio, 9 video, 18 AMF0 data. */
    codec_type: number;
    /** 0 audio sequence header, 1 audio frame, 2 video sequence header, 3 key frame, 4 inter frame, 5 metadata. */
    flags: number;
    pts: number;
    dts: number;
    size: number;
    data: Buffer;
  }

  export interface RtmpConnectRequest {
    app: string;
    name: string;
    host: string;
    query: Record<string, unknown>;
  }

  class Rtmp {
    onConnectCallback: (req: RtmpConnectRequest) => void;
    onPlayCallback: () => void;
    onPushCallback: () => void;
    onPacketCallback: (packet: RtmpAvPacket) => void;
    onOutputCallback: (buffer: Buffer) => void;
    /** Returns an error message, or null. */
    parserData(buffer: Buffer): string | null;
    sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
    sendStreamStatus(status: number, streamId: number): void;
    streamId: number;
    /** Serialises a packet into RTMP chunks (a new buffer). */
    static createMessage(packet: RtmpAvPacket): Buffer;
  }
  export = Rtmp;
}
