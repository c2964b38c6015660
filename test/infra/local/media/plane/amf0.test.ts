import { describe, expect, it } from 'vitest';
import { Amf0Error, decodeAmf0 } from '../../../../../infra/local/media/plane/amf0.js';
import { amf } from './rtmp-fuzz-cases.js';

describe('decodeAmf0', () => {
  it('decodes a connect command as FFmpeg sends it', () => {
    const values = decodeAmf0(
      Buffer.concat([
        amf.str('connect'),
        amf.num(1),
        amf.obj([
          ['app', amf.str('live')],
          ['tcUrl', amf.str('rtmp://127.0.0.1:1935/live')],
          ['fpad', amf.bool(false)],
          ['capabilities', amf.num(15)],
        ]),
        amf.nul,
      ]),
    );
    expect(values).toEqual([
      'connect',
      1,
      { app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live', fpad: false, capabilities: 15 },
      null,
    ]);
  });

  it('builds objects without a prototype, so a field named __proto__ is only a field', () => {
    const [object] = decodeAmf0(amf.obj([['__proto__', amf.obj([['tcUrl', amf.str('x')]])]]));
    expect(Object.getPrototypeOf(object)).toBeNull();
    expect((object as Record<string, unknown>).tcUrl).toBeUndefined();
  });

  it.each([
    ['a string longer than the buffer', Buffer.from([0x02, 0x00, 0x10, 0x41]), /truncated string/],
    ['a number cut short', amf.num(1).subarray(0, 5), /truncated number/],
    ['an AMF3 switch marker', Buffer.from([0x11, 0x01]), /unsupported AMF0 marker 0x11/],
    ['a reference', Buffer.from([0x07, 0x00, 0x01]), /unsupported AMF0 marker 0x07/],
    [
      'a strict array counting more elements than bytes',
      amf.strictArray(0xffffffff, [amf.nul]),
      /strict array/,
    ],
    [
      'objects nested 20 deep',
      Buffer.concat([...Array.from({ length: 20 }, () => Buffer.from([0x03, 0x00, 0x01, 0x61])), amf.nul]),
      /nested deeper/,
    ],
  ])('refuses %s', (_, bytes, message) => {
    expect(() => decodeAmf0(bytes)).toThrow(Amf0Error);
    expect(() => decodeAmf0(bytes)).toThrow(message);
  });

  it('accepts an object whose end marker is left out at the end of the command', () => {
    expect(decodeAmf0(amf.obj([['app', amf.str('live')]], false))).toEqual([{ app: 'live' }]);
  });
});
