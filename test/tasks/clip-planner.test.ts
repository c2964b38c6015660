/**
 * The clip planner (core/clip-planner.ts), the pure half of the split task: which files a clip takes,
 * from which pipeline, and the playlist over them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClipFile,
  chooseFiles,
  counterRanges,
  fileDuration,
  type PlannedClip,
  planClips,
  renderPlaylist,
  type SessionTimes,
  sessionTimes,
} from '../../core/clip-planner.js';
import { InvalidRequest } from '../../core/errors.js';
import { readVodPlaylist } from './hls-playlist.js';

const stopped = (segmentLength: number, recordedSeconds: number): SessionTimes => ({
  segmentLength,
  recordedSeconds,
  stopped: true,
});
const live = (segmentLength: number, recordedSeconds: number): SessionTimes => ({
  segmentLength,
  recordedSeconds,
  stopped: false,
});
const key = (pipeline: number, counter: number) =>
  `_${pipeline + 1}/archive_1080p.${String(counter).padStart(6, '0')}.ts`;
const all = (from: number, to: number) => new Set(Array.from({ length: to - from + 1 }, (_, i) => from + i));
const onlyPlan = (range: { start: number; end: number }, times: SessionTimes): PlannedClip => {
  const [plan] = planClips([range], times);
  if (!plan) throw new Error('no plan');
  return plan;
};
const invalidProblems = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequest);
    return (error as InvalidRequest).problems;
  }
  throw new Error('expected InvalidRequest');
};

describe('sessionTimes', () => {
  it('measures a stopped session from its start to its stop', () => {
    const times = sessionTimes(
      {
        id: 'S',
        prefix: 'p',
        uri: 's3://b/p',
        started_at: '2026-01-01T00:00:00.000Z',
        stopped_at: '2026-01-01T00:10:00.500Z',
        segment_length: 10,
        channel_class: 'STANDARD',
      },
      new Date('2030-01-01T00:00:00.000Z'),
    );
    expect(times).toEqual({ segmentLength: 10, recordedSeconds: 600.5, stopped: true });
  });

  it('measures a live session up to now', () => {
    const times = sessionTimes(
      {
        id: 'S',
        prefix: 'p',
        uri: 's3://b/p',
        started_at: '2026-01-01T00:00:00.000Z',
        stopped_at: null,
        segment_length: 10,
        channel_class: 'STANDARD',
      },
      new Date('2026-01-01T00:01:05.000Z'),
    );
    expect(times).toEqual({ segmentLength: 10, recordedSeconds: 65, stopped: false });
  });
});

describe('planClips', () => {
  it('takes exactly one file for a range on file boundaries', () => {
    expect(onlyPlan({ start: 10, end: 20 }, stopped(10, 100))).toMatchObject({ first: 1, last: 1 });
  });

  it('takes the file a boundary-crossing edge touches, and no more', () => {
    expect(onlyPlan({ start: 9.999, end: 20 }, stopped(10, 100))).toMatchObject({ first: 0, last: 1 });
    expect(onlyPlan({ start: 10, end: 20.001 }, stopped(10, 100))).toMatchObject({ first: 1, last: 2 });
  });

  it('takes the one file that holds a range inside it', () => {
    expect(onlyPlan({ start: 12, end: 17 }, stopped(10, 100))).toMatchObject({ first: 1, last: 1 });
  });

  it('stops at the last file of a stopped session, even for a range past its end', () => {
    expect(onlyPlan({ start: 80, end: 10_000 }, stopped(10, 95))).toMatchObject({
      first: 8,
      last: 9,
      lastAvailable: 9,
    });
  });

  it('marks only closed files available in a live session', () => {
    // 95 s recorded: files 0..8 are closed, file 9 is still being written.
    expect(onlyPlan({ start: 50, end: 200 }, live(10, 95))).toMatchObject({
      first: 5,
      last: 19,
      lastAvailable: 8,
    });
    expect(onlyPlan({ start: 0, end: 5 }, live(10, 8))).toMatchObject({
      first: 0,
      last: 0,
      lastAvailable: -1,
    });
  });

  it('refuses every bad range at once, naming each entry (HTTP 400)', () => {
    const problems = invalidProblems(() =>
      planClips(
        [
          { start: 0, end: 10 },
          { start: 20, end: 20 },
          { start: -1, end: 5 },
          { start: Number.NaN, end: 5 },
          { start: 30, end: 10 },
          { start: 100, end: 110 },
        ],
        stopped(10, 100),
      ),
    );
    expect(problems.map((p) => p.field)).toEqual([
      'timestamp_list[1]',
      'timestamp_list[2]',
      'timestamp_list[3]',
      'timestamp_list[4]',
      'timestamp_list[5]',
    ]);
    expect(problems[0]?.reason).toMatch(/before end/);
    expect(problems[2]?.reason).toMatch(/non-negative/);
    expect(problems[4]?.reason).toMatch(/after the session ended \(it lasted 100 s\)/);
  });

  it('refuses a range that starts after what a live session has recorded so far', () => {
    const problems = invalidProblems(() => planClips([{ start: 70, end: 80 }], live(10, 65)));
    expect(problems).toEqual([
      { field: 'timestamp_list[0]', reason: 'starts after what has been recorded so far (65 s)' },
    ]);
  });
});

describe('fileDuration', () => {
  it('is the segment length, except for the shorter last file of a stopped session', () => {
    expect(fileDuration(3, stopped(10, 95))).toBe(10);
    expect(fileDuration(9, stopped(10, 95))).toBe(5);
    expect(fileDuration(9, stopped(10, 95.25))).toBe(5.25);
    expect(fileDuration(9, live(10, 95))).toBe(10);
  });
});

describe('chooseFiles', () => {
  it('takes only pipeline 0 when both pipelines have every file: no moment twice', () => {
    const times = stopped(10, 100);
    const { files, missing } = chooseFiles(
      onlyPlan({ start: 0, end: 50 }, times),
      [all(0, 9), all(0, 9)],
      times,
      key,
    );
    expect(files.map((f) => [f.counter, f.pipeline])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
    ]);
    expect(files[0]?.relativeKey).toBe('_1/archive_1080p.000000.ts');
    expect(missing).toEqual([]);
  });

  it('lets pipeline 1 stand in for a file pipeline 0 lacks', () => {
    const times = stopped(10, 100);
    const p0 = all(0, 9);
    p0.delete(3);
    const { files, missing } = chooseFiles(
      onlyPlan({ start: 20, end: 50 }, times),
      [p0, all(0, 9)],
      times,
      key,
    );
    expect(files.map((f) => f.relativeKey)).toEqual([
      '_1/archive_1080p.000002.ts',
      '_2/archive_1080p.000003.ts',
      '_1/archive_1080p.000004.ts',
    ]);
    expect(missing).toEqual([]);
  });

  it('reports a file neither pipeline has as missing', () => {
    const times = stopped(10, 100);
    const p = all(0, 9);
    p.delete(3);
    p.delete(4);
    const { files, missing } = chooseFiles(
      onlyPlan({ start: 20, end: 60 }, times),
      [p, new Set(p)],
      times,
      key,
    );
    expect(files.map((f) => f.counter)).toEqual([2, 5]);
    expect(missing).toEqual([3, 4]);
  });

  it('gives the last file of a stopped session its real, shorter duration', () => {
    const times = stopped(10, 95);
    const { files } = chooseFiles(onlyPlan({ start: 80, end: 95 }, times), [all(0, 9)], times, key);
    expect(files.map((f) => f.duration)).toEqual([10, 5]);
  });

  it('takes no file that a live session has not closed yet', () => {
    const times = live(10, 95);
    const { files, missing } = chooseFiles(onlyPlan({ start: 50, end: 200 }, times), [all(0, 8)], times, key);
    expect(files.map((f) => f.counter)).toEqual([5, 6, 7, 8]);
    expect(missing).toEqual([]);
  });
});

describe('renderPlaylist', () => {
  const STARTED = '2026-06-07T08:00:00.000Z';
  const file = (counter: number, pipeline: number, duration: number): ClipFile => ({
    counter,
    pipeline,
    relativeKey: key(pipeline, counter),
    duration,
  });

  it('writes a valid VOD playlist with an integer target duration and the wall-clock time of its start', () => {
    const text = renderPlaylist([file(2, 0, 10), file(3, 0, 10), file(4, 0, 5.5)], STARTED, 10);

    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:10',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-PROGRAM-DATE-TIME:2026-06-07T08:00:20.000Z',
        '#EXTINF:10.000,',
        '_1/archive_1080p.000002.ts',
        '#EXTINF:10.000,',
        '_1/archive_1080p.000003.ts',
        '#EXTINF:5.500,',
        '_1/archive_1080p.000004.ts',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    expect(readVodPlaylist(text).segments).toHaveLength(3);
  });

  it('rounds the target duration up over fractional durations', () => {
    const parsed = readVodPlaylist(renderPlaylist([file(0, 0, 3.2)], STARTED, 10));
    expect(parsed.targetDuration).toBe(4);
    expect(parsed.segments[0]?.duration).toBe(3.2);
  });

  it('marks a switch of pipeline and a gap with EXT-X-DISCONTINUITY and a new date-time', () => {
    const parsed = readVodPlaylist(
      renderPlaylist([file(1, 0, 10), file(2, 1, 10), file(3, 0, 10), file(5, 0, 10)], STARTED, 10),
    );
    expect(parsed.segments.map((s) => [s.discontinuity, s.programDateTime])).toEqual([
      [false, '2026-06-07T08:00:10.000Z'],
      [true, '2026-06-07T08:00:20.000Z'],
      [true, '2026-06-07T08:00:30.000Z'],
      [true, '2026-06-07T08:00:50.000Z'],
    ]);
  });
});

describe('counterRanges', () => {
  it('joins consecutive counters into ranges of seconds', () => {
    expect(counterRanges([2, 3, 4, 7, 9, 10], 10)).toEqual([
      { start: 20, end: 50 },
      { start: 70, end: 80 },
      { start: 90, end: 110 },
    ]);
    expect(counterRanges([], 10)).toEqual([]);
  });
});

/** A session, the files each pipeline holds, and a valid range into it. */
const scenario = fc
  .record({
    L: fc.integer({ min: 1, max: 20 }),
    // Quarter seconds, so file edges and range edges meet as well as miss.
    recordedQ: fc.integer({ min: 1, max: 2000 }),
    isStopped: fc.boolean(),
    pipelines: fc.constantFrom(1, 2),
    seed: fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 130, maxLength: 130 }),
  })
  .chain((s) => {
    const recorded = s.recordedQ / 4;
    return fc
      .record({
        startQ: fc.integer({ min: 0, max: s.recordedQ - 1 }),
        lengthQ: fc.integer({ min: 1, max: (recorded + 3 * s.L) * 4 }),
      })
      .map(({ startQ, lengthQ }) => {
        const times: SessionTimes = { segmentLength: s.L, recordedSeconds: recorded, stopped: s.isStopped };
        const files = Math.ceil(recorded / s.L);
        const present = Array.from({ length: s.pipelines }, (_, p) => {
          const set = new Set<number>();
          for (let c = 0; c < files; c++) if (s.seed[c % s.seed.length]?.[p]) set.add(c);
          return set;
        });
        return { times, present, range: { start: startQ / 4, end: (startQ + lengthQ) / 4 } };
      });
  });

describe('clip planner properties', () => {
  it('covers every requested second within the recorded part that some pipeline holds, and calls the rest missing', () => {
    fc.assert(
      fc.property(scenario, ({ times, present, range }) => {
        const L = times.segmentLength;
        const plan = onlyPlan(range, times);
        const { files, missing } = chooseFiles(plan, present, times, key);
        const availableEnd = times.stopped ? times.recordedSeconds : (plan.lastAvailable + 1) * L;
        for (let t = range.start; t < Math.min(range.end, availableEnd); t += 0.25) {
          const counter = Math.floor(t / L);
          const held = present.some((set) => set.has(counter));
          const covering = files.filter((f) => f.counter * L <= t && t < f.counter * L + f.duration);
          if (held) expect(covering, `second ${t}`).toHaveLength(1);
          else expect(missing, `second ${t}`).toContain(counter);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes nothing outside [start - L, end + L)', () => {
    fc.assert(
      fc.property(scenario, ({ times, present, range }) => {
        const L = times.segmentLength;
        const { files, missing } = chooseFiles(onlyPlan(range, times), present, times, key);
        for (const f of files) {
          expect(f.counter * L).toBeGreaterThan(range.start - L);
          expect(f.counter * L + f.duration).toBeLessThan(range.end + L);
        }
        for (const c of missing) {
          expect(c * L).toBeGreaterThan(range.start - L);
          expect((c + 1) * L).toBeLessThan(range.end + L);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('uses no counter twice, prefers pipeline 0, and only files that exist', () => {
    fc.assert(
      fc.property(scenario, ({ times, present, range }) => {
        const { files, missing } = chooseFiles(onlyPlan(range, times), present, times, key);
        const counters = files.map((f) => f.counter);
        expect(new Set([...counters, ...missing]).size).toBe(counters.length + missing.length);
        expect(counters).toEqual([...counters].sort((a, b) => a - b));
        for (const f of files) {
          expect(present[f.pipeline]?.has(f.counter)).toBe(true);
          if (f.pipeline === 1) expect(present[0]?.has(f.counter)).toBe(false);
          expect(f.relativeKey).toBe(key(f.pipeline, f.counter));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('always renders a playlist a player accepts', () => {
    fc.assert(
      fc.property(scenario, ({ times, present, range }) => {
        const { files } = chooseFiles(onlyPlan(range, times), present, times, key);
        if (files.length === 0) return;
        const parsed = readVodPlaylist(
          renderPlaylist(files, '2026-01-01T00:00:00.000Z', times.segmentLength),
        );
        expect(parsed.segments.map((s) => s.uri)).toEqual(files.map((f) => f.relativeKey));
        for (const s of parsed.segments) expect(s.duration).toBeLessThanOrEqual(parsed.targetDuration);
      }),
      { numRuns: 200 },
    );
  });
});
