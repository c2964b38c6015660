/**
 * A strict, bounded AMF0 decoder for RTMP commands (`connect`, `publish`, …).
 *
 * node-media-server's decoder trusts its input: it reads past the end of the buffer (RangeError),
 * dereferences the `null` it returns for an unknown marker (TypeError), looks command names up on a
 * plain object (`constructor` or `__proto__` as a command name is a TypeError), and recurses
 * without a bound. Every one of those was a way for one unauthenticated packet to throw inside the
 * RTMP engine. This decoder checks every length against the bytes left, refuses markers that RTMP
 * commands never carry, bounds nesting and the number of values, and builds objects without a
 * prototype, so a peer's field names cannot shadow anything.
 */

export type Amf0Value = number | boolean | string | null | undefined | Amf0Object | Amf0Value[];
export interface Amf0Object {
  [key: string]: Amf0Value;
}

/** The peer sent bytes that are not the AMF0 an RTMP command is made of. */
export class Amf0Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Amf0Error';
  }
}

/** Objects nested deeper than this are not something an RTMP client sends. */
const MAX_DEPTH = 8;
/** Values (objects' properties included) in one command. */
const MAX_VALUES = 1024;

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const DATE = 0x0b;
const LONG_STRING = 0x0c;

class Reader {
  #at = 0;
  #values = 0;

  constructor(readonly buffer: Buffer) {}

  get left(): number {
    return this.buffer.length - this.#at;
  }

  /** Where the next `bytes` bytes start, once checked to be there. */
  #take(bytes: number, what: string): number {
    if (bytes > this.left) throw new Amf0Error(`truncated ${what}`);
    this.#at += bytes;
    return this.#at - bytes;
  }

  u8(): number {
    return this.buffer.readUInt8(this.#take(1, 'marker'));
  }

  peek(): number | undefined {
    return this.buffer[this.#at];
  }

  u16(): number {
    return this.buffer.readUInt16BE(this.#take(2, 'length'));
  }

  u32(): number {
    return this.buffer.readUInt32BE(this.#take(4, 'length'));
  }

  double(): number {
    return this.buffer.readDoubleBE(this.#take(8, 'number'));
  }

  utf8(length: number): string {
    const at = this.#take(length, 'string');
    return this.buffer.toString('utf8', at, at + length);
  }

  skip(bytes: number): void {
    this.#take(bytes, 'value');
  }

  count(): void {
    this.#values += 1;
    if (this.#values > MAX_VALUES) throw new Amf0Error(`more than ${MAX_VALUES} values`);
  }
}

function readProperties(reader: Reader, depth: number): Amf0Object {
  const object: Amf0Object = Object.create(null) as Amf0Object;
  for (;;) {
    // Some encoders leave the end marker out when the object ends the command.
    if (reader.left === 0) return object;
    const key = reader.utf8(reader.u16());
    if (key === '' && reader.peek() === OBJECT_END) {
      reader.skip(1);
      return object;
    }
    object[key] = readValue(reader, depth + 1);
  }
}

function readValue(reader: Reader, depth: number): Amf0Value {
  if (depth > MAX_DEPTH) throw new Amf0Error(`values nested deeper than ${MAX_DEPTH}`);
  reader.count();
  const marker = reader.u8();
  switch (marker) {
    case NUMBER:
      return reader.double();
    case BOOLEAN:
      return reader.u8() !== 0;
    case STRING:
      return reader.utf8(reader.u16());
    case LONG_STRING:
      return reader.utf8(reader.u32());
    case OBJECT:
      return readProperties(reader, depth);
    case ECMA_ARRAY:
      // The count is a hint only (AMF0 spec 2.10); the properties end with the end marker.
      reader.u32();
      return readProperties(reader, depth);
    case STRICT_ARRAY: {
      const length = reader.u32();
      // Each element takes at least its marker byte: a larger count is a lie.
      if (length > reader.left)
        throw new Amf0Error(`strict array of ${length} elements in ${reader.left} bytes`);
      const array: Amf0Value[] = [];
      for (let i = 0; i < length; i++) array.push(readValue(reader, depth + 1));
      return array;
    }
    case DATE: {
      const time = reader.double();
      reader.skip(2); // time zone, unused by the format's own definition
      return time;
    }
    case NULL:
      return null;
    case UNDEFINED:
      return undefined;
    default:
      throw new Amf0Error(`unsupported AMF0 marker 0x${marker.toString(16).padStart(2, '0')}`);
  }
}

/** Every value in `buffer`, in order (an RTMP command is a sequence of AMF0 values). */
export function decodeAmf0(buffer: Buffer): Amf0Value[] {
  const reader = new Reader(buffer);
  const values: Amf0Value[] = [];
  while (reader.left > 0) values.push(readValue(reader, 0));
  return values;
}

export function isAmf0Object(value: Amf0Value): value is Amf0Object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
