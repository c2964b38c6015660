import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InputRelay, type RelayPacket } from '../../../../../infra/local/media/plane/input-relay.js';
import type { Slate } from '../../../../../infra/local/media/plane/slate.js';

/** A slate at 30 fps, its tags marked so that the output tells them apart from a publisher's. */
const slate: Slate = {
  spec: { width: 1920, height: 1080, frameRate: { numerator: 30, denominator: 1 }, color: '000000' },
  videoHeader: Buffer.from([0x17, 0, 0, 0, 0, 0x5e]),
  audioHeader: Buffer.from([0xaf, 0, 0x11, 0x90, 0x5e]), // AAC LC, 48 kHz, stereo
  videoFrames: [Buffer.from([0x17, 1, 0, 0, 0, 0x5e]), Buffer.from([0x27, 1, 0, 0, 0, 0x5e])],
  silence: Buffer.from([0xaf, 1, 0x5e]),
  sampleRate: 48_000,
};
const SLATE_MARK = 0x5e;
const FEED_MARK = 0xfe;

interface Tag {
  type: number;
  ts: number;
  body: Buffer;
  slate: boolean;
}

/** FFmpeg's side of the pipe: everything written, parsed back into FLV tags. */
class Pipe extends Writable {
  bytes = Buffer.alloc(0);
  stalled = false;
  readonly #held: Array<() => void> = [];

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.bytes = Buffer.concat([this.bytes, chunk]);
    if (this.stalled) this.#held.push(callback);
    else callback();
  }

  release(): void {
    this.stalled = false;
    for (const callback of this.#held.splice(0)) callback();
  }

  tags(): Tag[] {
    expect(this.bytes.subarray(0, 3).toString()).toBe('FLV');
    const tags: Tag[] = [];
    let at = 13;
    while (at + 11 <= this.bytes.length) {
      const size = this.bytes.readUIntBE(at + 1, 3);
      const ts = this.bytes.readUIntBE(at + 4, 3) | ((this.bytes[at + 7] ?? 0) << 24);
      const body = this.bytes.subarray(at + 11, at + 11 + size);
      expect(this.bytes.readUInt32BE(at + 11 + size)).toBe(11 + size);
      tags.push({ type: this.bytes[at] ?? 0, ts, body, slate: body.at(-1) === SLATE_MARK });
      at += 11 + size + 4;
    }
    return tags;
  }
}

/** A publisher whose packets the test hands over one by one. */
function aFeed() {
  let listener: ((packet: RelayPacket) => void) | undefined;
  let subscriptions = 0;
  return {
    label: 'live/test',
    subscribe(next: (packet: RelayPacket) => void) {
      listener = next;
      subscriptions += 1;
      return () => {
        listener = undefined;
      };
    },
    get subscriptions() {
      return subscriptions;
    },
    send(type: number, flags: number, dts: number, options: { codecId?: number; size?: number } = {}) {
      const codecId = options.codecId ?? (type === 9 ? 7 : 10);
      const first = type === 9 ? (flags === 3 || flags === 2 ? 0x10 : 0x20) | codecId : 0xa0 | 0x0f;
      const second = type === 9 ? (flags === 2 ? 0 : 1) : flags === 0 ? 0 : 1;
      const data = Buffer.alloc(Math.max(6, options.size ?? 6), 0);
      data[0] = first;
      data[1] = second;
      // An AAC header for 44.1 kHz mono (AudioSpecificConfig 0x12 0x08).
      if (type === 8 && flags === 0) data.set([0x12, 0x08], 2);
      data[data.length - 1] = FEED_MARK;
      listener?.({ type, flags, codecId, dts, data });
    },
  };
}

const video = (tags: Tag[]) => tags.filter((tag) => tag.type === 9);
const audio = (tags: Tag[]) => tags.filter((tag) => tag.type === 8);
const frames = (tags: Tag[]) => video(tags).filter((tag) => tag.body[1] === 1);

function nonDecreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value >= (values[i - 1] as number));
}

let pipe: Pipe;
let relay: InputRelay;
const logs: string[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  pipe = new Pipe();
  logs.length = 0;
  relay = new InputRelay({ slate, output: pipe, logger: (line) => logs.push(line), label: 'input 1' });
  relay.start();
});
afterEach(() => {
  relay.end();
  vi.useRealTimers();
});

describe('InputRelay', () => {
  it('encodes the slate from its start, one frame per frame time of the clock, with silence', () => {
    vi.advanceTimersByTime(1000);
    const tags = pipe.tags();
    expect(tags[0]).toMatchObject({ type: 9, ts: 0, slate: true });
    expect(tags[0]?.body[1]).toBe(0);
    const slateFrames = frames(tags);
    expect(slateFrames.map((tag) => tag.ts)).toEqual(
      Array.from({ length: 31 }, (_, i) => Math.round((i * 1000) / 30)),
    );
    expect(slateFrames.every((tag) => tag.slate)).toBe(true);
    // The GOP loops: a key frame every other frame here.
    expect(slateFrames[2]?.body[0]).toBe(0x17);
    const silence = audio(tags).filter((tag) => tag.body[1] === 1);
    expect(silence.at(-1)?.ts).toBeGreaterThan(1000 - 22);
    expect(nonDecreasing(silence.map((tag) => tag.ts))).toBe(true);
    expect(relay.showing).toBe('slate');
  });

  it('joins a publisher on its key frame one frame after the slate, then follows its own timestamps', () => {
    vi.advanceTimersByTime(1000);
    const feed = aFeed();
    relay.use(feed);
    feed.send(9, 2, 0);
    feed.send(8, 0, 0);
    feed.send(9, 4, 4960); // a frame before any key frame: not decodable alone
    vi.advanceTimersByTime(100); // the slate goes on meanwhile
    feed.send(9, 3, 5000);
    feed.send(8, 1, 5010);
    feed.send(9, 4, 5040);
    feed.send(8, 1, 5033);
    feed.send(9, 4, 5080);
    const tags = pipe.tags();
    const fromFeed = tags.filter((tag) => !tag.slate);
    const lastSlate =
      frames(tags)
        .filter((tag) => tag.slate)
        .at(-1)?.ts ?? 0;
    expect(lastSlate).toBe(1100);
    const feedFrames = frames(fromFeed);
    expect(feedFrames.map((tag) => tag.ts)).toEqual([1133, 1173, 1213]);
    // Its sequence headers go first, then its AAC at its own spacing.
    expect(video(fromFeed)[0]?.body[1]).toBe(0);
    expect(audio(fromFeed)[0]?.body[1]).toBe(0);
    expect(
      audio(fromFeed)
        .filter((tag) => tag.body[1] === 1)
        .map((tag) => tag.ts),
    ).toEqual([1143, 1166]);
    expect(relay.showing).toBe('input');
    expect(logs).toContain('input 1: encoding live/test (its audio)');
  });

  it('returns to the slate a frame after the publisher stops, and rejoins on its next key frame', () => {
    const feed = aFeed();
    relay.use(feed);
    feed.send(9, 2, 0);
    vi.advanceTimersByTime(500);
    feed.send(9, 3, 100);
    feed.send(9, 4, 133);
    // No video for over a second: the slate resumes from the publisher's last frame.
    vi.advanceTimersByTime(1100);
    expect(relay.showing).toBe('slate');
    let tags = pipe.tags();
    const lastFromFeed = frames(tags)
      .filter((tag) => !tag.slate)
      .at(-1);
    const afterLoss = frames(tags).filter((tag, i, all) => tag.slate && i > 0 && !all[i - 1]?.slate)[0];
    expect(lastFromFeed?.ts).toBe(566);
    expect(afterLoss?.ts).toBe(600);
    // The slate's own sequence header comes back before its frames.
    const header = video(tags)
      .filter((tag) => tag.body[1] === 0 && tag.slate)
      .at(-1);
    expect(header?.ts).toBe(afterLoss?.ts);
    // It caught up with the clock: one frame per frame time again.
    expect(frames(tags).at(-1)?.ts).toBeGreaterThan(1600 - 34);
    feed.send(9, 4, 1400);
    expect(relay.showing).toBe('slate');
    feed.send(9, 3, 1433);
    expect(relay.showing).toBe('input');
    tags = pipe.tags();
    expect(nonDecreasing(video(tags).map((tag) => tag.ts))).toBe(true);
    expect(nonDecreasing(audio(tags).map((tag) => tag.ts))).toBe(true);
    expect(logs).toContain('input 1: no video from the input for 1000 ms, encoding the slate');
  });

  it('goes on with the slate right away when the publisher leaves, and with its silence', () => {
    const feed = aFeed();
    relay.use(feed);
    feed.send(9, 2, 0);
    feed.send(8, 0, 0);
    feed.send(9, 3, 0);
    feed.send(8, 1, 0);
    relay.use(undefined);
    vi.advanceTimersByTime(200);
    const tags = pipe.tags();
    const after = tags.slice(tags.findIndex((tag) => !tag.slate) + 4);
    expect(after.every((tag) => tag.slate)).toBe(true);
    expect(audio(after)[0]?.body[1]).toBe(0); // the slate's AAC header again
    expect(logs).toContain('input 1: input gone, encoding the slate');
  });

  it('encodes silence at the pace of the video of a publisher without AAC', () => {
    const feed = aFeed();
    relay.use(feed);
    feed.send(9, 2, 0);
    feed.send(8, 1, 0, { codecId: 2 }); // MP3: not passed on
    feed.send(9, 3, 0);
    for (let i = 1; i <= 30; i++) feed.send(9, 4, (i * 1000) / 30);
    const tags = pipe.tags();
    const silence = audio(tags).filter((tag) => tag.body[1] === 1);
    expect(silence.every((tag) => tag.slate)).toBe(true);
    expect(silence.at(-1)?.ts).toBeGreaterThanOrEqual(1000 - 22);
    expect(silence.at(-1)?.ts).toBeLessThanOrEqual(1034);
    expect(logs).toContain('input 1: encoding live/test (with silence: no AAC audio)');
  });

  it('stays on the slate for a publisher whose video is not H.264', () => {
    const feed = aFeed();
    relay.use(feed);
    feed.send(9, 2, 0, { codecId: 12 });
    feed.send(9, 3, 0, { codecId: 12 });
    feed.send(9, 3, 1000, { codecId: 12 });
    expect(relay.showing).toBe('slate');
    expect(logs.filter((line) => line.includes('is not H.264'))).toHaveLength(1);
  });

  it("carries on one frame later when the publisher's clock jumps", () => {
    const feed = aFeed();
    relay.use(feed);
    feed.send(9, 2, 0);
    feed.send(9, 3, 1000);
    feed.send(9, 4, 1033);
    feed.send(9, 3, 900_000); // its encoder restarted, or its clock wrapped
    feed.send(9, 4, 900_033);
    const ts = frames(pipe.tags())
      .filter((tag) => !tag.slate)
      .map((tag) => tag.ts);
    // Joined a frame after the slate's frame at 0; the jump lands one frame after 66.
    expect(ts).toEqual([33, 66, 100, 133]);
  });

  it('drops publisher packets while the encoder does not keep up, and resumes on a key frame', () => {
    const feed = aFeed();
    relay.use(feed);
    feed.send(9, 2, 0);
    feed.send(9, 3, 0);
    pipe.stalled = true;
    const size = 1024 * 1024;
    for (let i = 1; i <= 20; i++) feed.send(9, 4, i * 33, { size });
    pipe.release();
    feed.send(9, 4, 21 * 33); // still skipping: not decodable without the frames dropped
    feed.send(9, 3, 22 * 33);
    feed.send(9, 4, 23 * 33);
    const written = frames(pipe.tags()).filter((tag) => !tag.slate);
    const kinds = written.map((tag) => (tag.body[0] === 0x17 ? 'K' : 'P')).join('');
    // The key frame, what fitted under 16 MB of backlog, nothing more until the next key frame.
    expect(kinds).toMatch(/^KP{15,17}KP$/);
    expect(written.at(-2)?.ts).toBe(Math.round(33.33 + 22 * 33));
  });
});
