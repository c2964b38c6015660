/**
 * Hostile RTMP sessions for the ingest's fuzz test and `npm run bench:rtmp-fuzz`: malformed
 * handshakes, AMF0 commands with missing or wrong-typed fields and bad markers, truncated and
 * oversized chunks, chunk size changes, random mutations of a valid publish, and abrupt closes at
 * every stage. Everything comes from a seeded generator, so a failing session can be replayed.
 */
import net from 'node:net';

/** mulberry32: a small seeded PRNG, enough to make fuzz runs repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const int = (random: Random, below: number) => Math.floor(random() * below);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)] as T;

// AMF0, built by hand so that any field can be wrong.
export const amf = {
  num(value: number): Buffer {
    const buffer = Buffer.alloc(9);
    buffer[0] = 0x00;
    buffer.writeDoubleBE(value, 1);
    return buffer;
  },
  bool(value: boolean): Buffer {
    return Buffer.from([0x01, value ? 1 : 0]);
  },
  str(value: string): Buffer {
    const bytes = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(3);
    head[0] = 0x02;
    head.writeUInt16BE(bytes.length & 0xffff, 1);
    return Buffer.concat([head, bytes]);
  },
  longStr(value: string): Buffer {
    const bytes = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 0x0c;
    head.writeUInt32BE(bytes.length, 1);
    return Buffer.concat([head, bytes]);
  },
  key(name: string): Buffer {
    const bytes = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(2);
    head.writeUInt16BE(bytes.length & 0xffff);
    return Buffer.concat([head, bytes]);
  },
  obj(entries: Array<[string, Buffer]>, end = true): Buffer {
    return Buffer.concat([
      Buffer.from([0x03]),
      ...entries.flatMap(([name, value]) => [amf.key(name), value]),
      end ? Buffer.from([0x00, 0x00, 0x09]) : Buffer.alloc(0),
    ]);
  },
  nul: Buffer.from([0x05]),
  undef: Buffer.from([0x06]),
  strictArray(count: number, items: Buffer[]): Buffer {
    const head = Buffer.alloc(5);
    head[0] = 0x0a;
    head.writeUInt32BE(count >>> 0, 1);
    return Buffer.concat([head, ...items]);
  },
  ecmaArray(entries: Array<[string, Buffer]>): Buffer {
    const head = Buffer.alloc(5);
    head[0] = 0x08;
    head.writeUInt32BE(entries.length, 1);
    return Buffer.concat([head, amf.obj(entries).subarray(1)]);
  },
};

interface MessageOptions {
  cid?: number;
  type: number;
  streamId?: number;
  timestamp?: number;
  /** Announced length; the payload's own by default. */
  length?: number;
  chunkSize?: number;
}

/** One RTMP message as chunks: a type 0 header, then type 3 continuations every `chunkSize` bytes. */
export function message(payload: Buffer, options: MessageOptions): Buffer {
  const cid = options.cid ?? 3;
  const chunkSize = options.chunkSize ?? 128;
  const timestamp = options.timestamp ?? 0;
  const extended = timestamp >= 0xffffff;
  const basic = (fmt: number) =>
    cid < 64
      ? Buffer.from([(fmt << 6) | cid])
      : cid < 320
        ? Buffer.from([fmt << 6, cid - 64])
        : Buffer.from([(fmt << 6) | 1, (cid - 64) & 0xff, ((cid - 64) >> 8) & 0xff]);
  const header = Buffer.alloc(11);
  header.writeUIntBE(extended ? 0xffffff : timestamp, 0, 3);
  header.writeUIntBE((options.length ?? payload.length) & 0xffffff, 3, 3);
  header[6] = options.type & 0xff;
  header.writeUInt32LE(options.streamId ?? 0, 7);
  const ext = Buffer.alloc(extended ? 4 : 0);
  if (extended) ext.writeUInt32BE(timestamp >>> 0);
  const parts: Buffer[] = [basic(0), header, ext];
  for (let at = 0; at < payload.length; at += chunkSize) {
    if (at > 0) parts.push(basic(3), ext);
    parts.push(payload.subarray(at, at + chunkSize));
  }
  return Buffer.concat(parts);
}

const command = (values: Buffer[], options: Partial<MessageOptions> = {}) =>
  message(Buffer.concat(values), { type: 20, ...options });
const control = (type: number, value: number, length = 4) => {
  const payload = Buffer.alloc(length);
  if (length >= 4) payload.writeUInt32BE(value >>> 0);
  return message(payload, { cid: 2, type });
};

/** C0 + C1 (+ C2): the simple handshake, as FFmpeg sends it. */
export function handshake(random: Random = Math.random): Buffer {
  const c1 = Buffer.alloc(1536);
  for (let i = 8; i < c1.length; i++) c1[i] = int(random, 256);
  return Buffer.concat([Buffer.from([3]), c1, c1]);
}

export function connect(app = 'live', extra: Array<[string, Buffer]> = []): Buffer {
  return command([
    amf.str('connect'),
    amf.num(1),
    amf.obj([
      ['app', amf.str(app)],
      ['type', amf.str('nonprivate')],
      ['tcUrl', amf.str(`rtmp://127.0.0.1/${app}`)],
      ...extra,
    ]),
  ]);
}

export function createStream(transaction = 2): Buffer {
  return command([amf.str('createStream'), amf.num(transaction), amf.nul]);
}

export function publish(name: Buffer, streamId = 1): Buffer {
  return command([amf.str('publish'), amf.num(3), amf.nul, name, amf.str('live')], { cid: 4, streamId });
}

/** A valid publish on `app/key` with an AVC sequence header, a key frame and AAC. */
export function validPublish(app: string, key: string, random: Random = Math.random): Buffer {
  const avcHeader = Buffer.from('1700000000014d401fffe1001967', 'hex');
  const keyFrame = Buffer.concat([Buffer.from('1701000000', 'hex'), Buffer.alloc(600, 0x11)]);
  const aacHeader = Buffer.from('af001190', 'hex');
  return Buffer.concat([
    handshake(random),
    connect(app),
    createStream(),
    publish(amf.str(key)),
    message(amf.str('@setDataFrame'), { cid: 6, type: 18, streamId: 1 }),
    message(aacHeader, { cid: 4, type: 8, streamId: 1 }),
    message(avcHeader, { cid: 5, type: 9, streamId: 1 }),
    message(keyFrame, { cid: 5, type: 9, streamId: 1, timestamp: 40 }),
  ]);
}

const WEIRD_NUMBERS = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  1e308,
  -1e308,
  2 ** 53 + 1,
  0xffffffff,
  -1,
  3.5,
];
const HOSTILE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '',
  'connect\u0000',
  'p'.repeat(300),
];
const BAD_MARKERS = [0x04, 0x07, 0x09, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x7f, 0xff];

function weirdValue(random: Random, depth = 0): Buffer {
  switch (int(random, 14)) {
    case 0:
      return amf.num(pick(random, WEIRD_NUMBERS));
    case 1:
      return amf.str(pick(random, HOSTILE_NAMES));
    case 2:
      return amf.longStr('L'.repeat(65_536 + int(random, 2000)));
    case 3:
      return amf.nul;
    case 4:
      return amf.undef;
    case 5:
      return amf.bool(random() < 0.5);
    case 6:
      return Buffer.from([
        pick(random, BAD_MARKERS),
        ...Array.from({ length: int(random, 12) }, () => int(random, 256)),
      ]);
    case 7: {
      // Cut short anywhere.
      const full = amf.obj([
        ['app', amf.str('live')],
        ['tcUrl', amf.str('rtmp://x/live')],
      ]);
      return full.subarray(0, int(random, full.length));
    }
    case 8:
      return amf.strictArray(pick(random, [0xffffffff, 1000, 3]), [amf.nul, amf.num(1)]);
    case 9:
      return depth < 3 ? amf.obj([[pick(random, HOSTILE_NAMES), weirdValue(random, depth + 1)]]) : amf.nul;
    case 10:
      // Deep nesting.
      return Buffer.concat([
        ...Array.from({ length: 200 }, () => Buffer.from([0x03, 0x00, 0x01, 0x61])),
        amf.nul,
      ]);
    case 11:
      return amf.ecmaArray([['__proto__', amf.obj([['tcUrl', amf.str('rtmp://a/b')]])]]);
    case 12:
      return Buffer.from([0x02, 0xff, 0xff, 0x41]); // string longer than the message
    default:
      return amf.obj([], random() < 0.5);
  }
}

function weirdCommand(random: Random): Buffer {
  const name = pick(random, [
    'connect',
    'connect',
    'publish',
    'publish',
    'play',
    'createStream',
    'deleteStream',
    'releaseStream',
    'FCPublish',
    ...HOSTILE_NAMES,
  ]);
  const nameValue = random() < 0.85 ? amf.str(name) : weirdValue(random);
  const values = [nameValue];
  const count = int(random, 5);
  for (let i = 0; i < count; i++) values.push(random() < 0.6 ? weirdValue(random) : amf.num(i + 1));
  return command(values, { type: pick(random, [20, 20, 20, 17]), ...(random() < 0.2 ? { cid: 8 } : {}) });
}

function weirdConnect(random: Random): Buffer {
  const fields: Array<[string, Buffer]> = [];
  if (random() < 0.6) fields.push(['app', random() < 0.6 ? amf.str('live') : weirdValue(random)]);
  if (random() < 0.5) {
    fields.push([
      'tcUrl',
      random() < 0.5 ? amf.str(pick(random, ['not a url', '', '::', 'rtmp://'])) : weirdValue(random),
    ]);
  }
  if (random() < 0.3) fields.push(['objectEncoding', weirdValue(random)]);
  const object = random() < 0.8 ? amf.obj(fields, random() < 0.9) : weirdValue(random);
  return command([amf.str('connect'), random() < 0.7 ? amf.num(1) : weirdValue(random), object]);
}

function weirdChunks(random: Random, app: string): Buffer {
  switch (int(random, 12)) {
    case 0: // Set Chunk Size: 0, huge, the sign bit, too short
      return control(
        1,
        pick(random, [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 4096]),
        pick(random, [4, 4, 0, 2]),
      );
    case 1: // Window Acknowledgement Size / Abort, too short or odd
      return control(pick(random, [5, 2, 3, 6]), int(random, 2 ** 32), pick(random, [4, 0, 1]));
    case 2: // An oversized message announced, only its start sent
      return message(Buffer.alloc(int(random, 300)), {
        cid: 5,
        type: pick(random, [8, 9, 20, 18]),
        length: 0xffffff,
      });
    case 3: // Many chunk streams, each announcing a big message
      return Buffer.concat(
        Array.from({ length: 40 + int(random, 40) }, (_, i) =>
          message(Buffer.alloc(1), { cid: 330 + i * 7, type: 9, length: 0x100000 + i }),
        ),
      );
    case 4: // A type 1/2/3 chunk on a chunk stream never opened
      return Buffer.from([
        (pick(random, [1, 2, 3]) << 6) | (4 + int(random, 50)),
        ...Array.from({ length: 12 }, () => int(random, 256)),
      ]);
    case 5: {
      // A new message header in the middle of a message
      const first = message(Buffer.alloc(300, 1), { cid: 5, type: 9 }).subarray(0, 12 + 128 + 1);
      return Buffer.concat([first, message(Buffer.alloc(20, 2), { cid: 5, type: pick(random, [9, 20]) })]);
    }
    case 6: // Zero-length and tiny media/data messages
      return message(Buffer.alloc(int(random, 3)), {
        cid: pick(random, [4, 5, 6]),
        type: pick(random, [8, 9, 18, 15, 16, 19, 22]),
      });
    case 7: // Extended timestamps and clock wrap
      return message(Buffer.alloc(10, 7), {
        cid: 5,
        type: 9,
        timestamp: pick(random, [0xffffff, 0xffffffff, 0x7fffffff]),
      });
    case 8: // Chunk size changes, then a command in the new size
      return Buffer.concat([control(1, pick(random, [1, 7, 64, 65_536])), connect(app)]);
    case 9: // Random bytes
      return Buffer.from(Array.from({ length: 1 + int(random, 600) }, () => int(random, 256)));
    case 10: // Commands with broken fields
      return weirdCommand(random);
    default: // Connects with broken fields
      return weirdConnect(random);
  }
}

export interface FuzzSession {
  /** What was generated, for the report of a failing seed. */
  kind: string;
  /** Written one after the other, with an event-loop turn in between. */
  writes: Buffer[];
  /** destroy: RST right after the last write; end: FIN, then wait for the server to close. */
  ending: 'destroy' | 'end' | 'wait';
}

function splitRandomly(random: Random, bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = random() < 0.3 ? 1 + int(random, 8) : 1 + int(random, 4096);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

function mutate(random: Random, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const edits = 1 + int(random, 6);
  for (let i = 0; i < edits; i++) {
    // Keep the handshake so the mutation reaches the chunk parser.
    const at = 3073 + int(random, Math.max(1, out.length - 3073));
    if (at < out.length) out[at] = random() < 0.5 ? int(random, 256) : (out[at] ?? 0) ^ (1 << int(random, 8));
  }
  return out;
}

/**
 * One hostile session. `knownKey` is a stream key the server admits (some sessions publish with it
 * before turning hostile: an admitted publisher is not trusted either).
 */
export function fuzzSession(random: Random, app: string, knownKey: string): FuzzSession {
  const ending = pick(random, ['destroy', 'destroy', 'end', 'wait'] as const);
  const kind = int(random, 8);
  let bytes: Buffer;
  let name: string;
  switch (kind) {
    case 0: {
      name = 'handshake';
      const shapes = [
        Buffer.alloc(0),
        Buffer.from([3]),
        Buffer.from([pick(random, [0, 1, 6, 0xff, 0x16, 0x47])]),
        Buffer.concat([
          Buffer.from([pick(random, [3, 6, 0x16])]),
          Buffer.alloc(int(random, 3073), int(random, 256)),
        ]),
        Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
        handshake(random).subarray(0, int(random, 3073)),
      ];
      bytes = pick(random, shapes);
      break;
    }
    case 1:
      name = 'connect';
      bytes = Buffer.concat([handshake(random), weirdConnect(random), createStream()]);
      break;
    case 2:
      name = 'command';
      bytes = Buffer.concat([
        handshake(random),
        ...(random() < 0.7 ? [connect(app)] : []),
        ...Array.from({ length: 1 + int(random, 4) }, () => weirdCommand(random)),
      ]);
      break;
    case 3: {
      name = 'publish';
      const nameValue = pick(random, [
        amf.nul,
        amf.undef,
        amf.num(7),
        amf.str(''),
        amf.str('?only=query'),
        amf.str('unknownKey0123'),
        amf.str(`${knownKey}`),
        weirdValue(random),
      ]);
      bytes = Buffer.concat([
        handshake(random),
        ...(random() < 0.8 ? [connect(app)] : []),
        ...(random() < 0.7 ? [createStream()] : []),
        random() < 0.8 ? publish(nameValue) : command([amf.str('publish'), amf.num(3), amf.nul]),
        ...(random() < 0.5 ? [publish(amf.str(knownKey))] : []),
        ...(random() < 0.3 ? [command([amf.str('play'), amf.num(4), amf.nul, nameValue])] : []),
      ]);
      break;
    }
    case 4:
      name = 'chunks';
      bytes = Buffer.concat([
        handshake(random),
        ...(random() < 0.6 ? [connect(app)] : []),
        ...Array.from({ length: 1 + int(random, 3) }, () => weirdChunks(random, app)),
      ]);
      break;
    case 5:
      name = 'mutated-publish';
      bytes = mutate(random, validPublish(app, knownKey, random));
      break;
    case 6:
      name = 'publisher-turns-hostile';
      bytes = Buffer.concat([validPublish(app, knownKey, random), weirdChunks(random, app)]);
      break;
    default: {
      name = 'abrupt-close';
      const valid = validPublish(app, knownKey, random);
      bytes = valid.subarray(0, int(random, valid.length));
      break;
    }
  }
  return { kind: name, writes: splitRandomly(random, bytes), ending };
}

/** Plays one session against the server; resolves once the socket is closed, whoever closed it. */
export function runSession(port: number, session: FuzzSession, waitMs = 100): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let timer: NodeJS.Timeout | undefined;
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', async () => {
      for (const piece of session.writes) {
        if (socket.destroyed) return;
        socket.write(piece);
        await new Promise((next) => setImmediate(next));
      }
      if (session.ending === 'destroy') socket.destroy();
      else {
        if (session.ending === 'end') socket.end();
        timer = setTimeout(() => socket.destroy(), waitMs);
      }
    });
  });
}

/**
 * A publisher in a few lines (`validPublish(app, key)` by default): resolves with true once the
 * server answers `NetStream.Publish.Start`, false if it closes or stays silent.
 */
export function publishes(port: number, bytes: Buffer, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.includes('NetStream.Publish.Start')) done(true);
    });
    socket.on('connect', () => socket.write(bytes));
  });
}
