import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HlsSegmentIndex } from '../../../../../infra/local/media/plane/hls-segment-index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hls-index-'));
  await mkdir(path.join(dir, 'r'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function addSegment(index: HlsSegmentIndex, run: string, n: number, start: number): Promise<void> {
  const file = `r/${run}_${n}.ts`;
  await writeFile(path.join(dir, file), 'ts');
  index.add('r', { file, duration: 2, start, run });
}

describe('HlsSegmentIndex', () => {
  it('numbers segments continuously across runs and marks the first of a new run as a discontinuity', async () => {
    const index = new HlsSegmentIndex(dir);
    await addSegment(index, 'a', 0, 0);
    await addSegment(index, 'a', 1, 2000);
    await addSegment(index, 'b', 0, 10_000);
    expect(index.segments('r').map((s) => [s.seq, s.discontinuity, s.discontinuitySequence])).toEqual([
      [0, false, 0],
      [1, false, 0],
      [2, true, 1],
    ]);
    expect(index.has('r/b_0.ts')).toBe(true);
  });

  it('deletes the files of segments older than the window, keeping the newest', async () => {
    const index = new HlsSegmentIndex(dir);
    await addSegment(index, 'a', 0, 0);
    await addSegment(index, 'a', 1, 2000);
    await addSegment(index, 'a', 2, 4000);
    await index.prune(4500);
    expect(index.segments('r').map((s) => s.seq)).toEqual([2]);
    expect(existsSync(path.join(dir, 'r/a_0.ts'))).toBe(false);
    expect(existsSync(path.join(dir, 'r/a_2.ts'))).toBe(true);
    expect(index.has('r/a_0.ts')).toBe(false);
  });

  it('comes back from its JSON file after a restart, with the ladder and sequence numbers', async () => {
    const index = new HlsSegmentIndex(dir);
    index.setLadder([{ name: 'r', bandwidth: 1, width: 2, height: 3 }], 2);
    await addSegment(index, 'a', 0, 0);
    await addSegment(index, 'a', 1, 2000);
    await index.flush();
    await rm(path.join(dir, 'r/a_0.ts'));

    const reloaded = new HlsSegmentIndex(dir);
    expect(reloaded.renditions).toEqual([{ name: 'r', bandwidth: 1, width: 2, height: 3 }]);
    expect(reloaded.targetSeconds).toBe(2);
    expect(reloaded.segments('r').map((s) => s.seq)).toEqual([1]);
    await addSegment(reloaded, 'b', 0, 9000);
    expect(reloaded.segments('r').at(-1)).toMatchObject({ seq: 2, discontinuity: true });
  });
});
