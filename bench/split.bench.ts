/**
 * `npm run bench:split`: the cost of `POST /streams/{id}/split` on a long session, ours beside the
 * seed's algorithm.
 *
 * 1. A 24-hour STANDARD session with 2 s archive files on both pipelines: 2 × 43,200 = 86,400
 *    objects in a local s3rver (in this process, as in local mode). Seeding takes minutes, so the
 *    s3rver directory is kept under SPLIT_BENCH_DIR (default `<tmpdir>/live-streaming-bench/split-24h`)
 *    with a marker file, and a re-run reuses it. The seeding time is printed on its own.
 * 2. 100 clips in one request (starts spread over the 24 h, lengths 10 s to 10 min, fractional
 *    starts and ends) through `splitArchive`, with an S3Client whose middleware counts the HTTP
 *    requests by command: wall time, requests, requests per clip. One warm-up run, then RUNS runs.
 * 3. The seed's algorithm on the same clips, in the same run: per clip, list the whole session
 *    prefix (1,000 keys a page), keep the files whose start falls inside [start, end) from both
 *    pipelines, write the playlist. The seed paged with ListObjectsV2; s3rver cannot make V2
 *    continuation tokens on Node 20 (its DES cipher is gone from OpenSSL 3), so the baseline pages
 *    with ListObjects (v1) `Marker`: one request per 1,000 keys either way.
 * 4. Checks every clip of ours: it covers its range (covered_start ≤ start, covered_end ≥ end) with at
 *    most one file length of slack on each side, and its playlist (read back, uncounted) holds one
 *    file per counter, all from one pipeline.
 *
 * BASELINE_CLIPS limits the baseline to the first N clips (default: all 100), SPLIT_RUNS sets the
 * measured runs (default 3) and SPLIT_WARMUP=0 drops the warm-up, for a quick run; the figures
 * printed say how many clips and runs they cover. Nothing here talks to AWS.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { archiveKey, parseArchiveKey } from '../core/archive-naming.js';
import type { ClipRecord } from '../core/clip.js';
import type { ClipRange } from '../core/clip-planner.js';
import type { RecordingSession } from '../core/stream.js';
import type { SplitOutput } from '../tasks/contracts.js';
import { splitArchive } from '../tasks/split/split-archive.js';

const HOST = '127.0.0.1';
const REGION = 'us-east-1';
const BUCKET = 'archive-bench';
const SEGMENT_LENGTH = 2;
const SESSION_SECONDS = 24 * 3600;
const FILES_PER_PIPELINE = SESSION_SECONDS / SEGMENT_LENGTH;
const PIPELINES = 2;
const CLIPS = 100;
// Each run lists through s3rver, whose cost grows with the folder (see the docs): runs are settable.
const RUNS = Math.max(1, Number(process.env.SPLIT_RUNS ?? 3));
const WARMUP = process.env.SPLIT_WARMUP !== '0';
const SEED_CONCURRENCY = 32;
const PAGE = 1000;
const TARGETS = { requestsPerClip: 2, wallMs: 2000 };
// Bumped whenever the seeded layout changes, so a stale cache is rebuilt rather than trusted.
const SEED_VERSION = 1;

const SESSION: RecordingSession = {
  id: 'bench-1704067200',
  prefix: '2024/01/01/bench-1704067200',
  uri: `s3://${BUCKET}/2024/01/01/bench-1704067200`,
  started_at: '2024-01-01T00:00:00.000Z',
  stopped_at: '2024-01-02T00:00:00.000Z',
  segment_length: SEGMENT_LENGTH,
  channel_class: 'STANDARD',
};

type Counts = Map<string, number>;

function s3Client(endpoint: string, counts?: Counts): S3Client {
  const client = new S3Client({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  if (counts) {
    // The deserialize step wraps the HTTP call itself, inside the retry loop: every attempt counts.
    client.middlewareStack.add(
      (next, context) => (args) => {
        const name = context.commandName ?? 'unknown';
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'deserialize', name: 'countRequests' },
    );
  }
  return client;
}

function total(counts: Counts): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

/** Deterministic pseudo-random numbers (mulberry32), so every run asks for the same clips. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 100 ranges, one in each 864 s slot of the day, 10 s to 10 min long, on tenths of a second. */
function clipRanges(): ClipRange[] {
  const next = random(5);
  const slot = SESSION_SECONDS / CLIPS;
  return Array.from({ length: CLIPS }, (_, i) => {
    const length = Math.round((10 + next() * 590) * 10) / 10;
    const start = Math.round((i * slot + next() * (slot - 10)) * 10) / 10;
    return { start, end: Math.min(SESSION_SECONDS, Math.round((start + length) * 10) / 10) };
  });
}

async function seed(endpoint: string, dataDir: string): Promise<number> {
  const s3 = s3Client(endpoint);
  const jobs: Array<[number, number]> = [];
  for (let pipeline = 0; pipeline < PIPELINES; pipeline++) {
    for (let counter = 0; counter < FILES_PER_PIPELINE; counter++) jobs.push([pipeline, counter]);
  }
  const started = performance.now();
  let nextJob = 0;
  let lastReport = started;
  const worker = async () => {
    for (let job = jobs[nextJob++]; job; job = jobs[nextJob++]) {
      const [pipeline, counter] = job;
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: archiveKey(SESSION.prefix, pipeline, counter),
          Body: 'ts',
        }),
      );
      const now = performance.now();
      if (now - lastReport > 10_000) {
        lastReport = now;
        console.log(`  seeded ${nextJob} / ${jobs.length} objects`);
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  const ms = performance.now() - started;
  s3.destroy();
  writeFileSync(
    path.join(dataDir, 'seeded.json'),
    JSON.stringify({
      version: SEED_VERSION,
      objects: jobs.length,
      seconds: ms / 1000,
      at: new Date().toISOString(),
    }),
  );
  return ms;
}

function seededBefore(dataDir: string): { objects: number; seconds: number; at: string } | undefined {
  try {
    const marker = JSON.parse(readFileSync(path.join(dataDir, 'seeded.json'), 'utf8'));
    if (marker.version === SEED_VERSION && marker.objects === FILES_PER_PIPELINE * PIPELINES) return marker;
  } catch {
    // No marker or an unreadable one: seed again.
  }
  return undefined;
}

/** Playlists left by a run (ours or the baseline's) would change what the baseline lists: remove them. */
async function removePlaylists(s3: S3Client): Promise<number> {
  // The delimiter keeps the listing out of _1/ and _2/: only the session folder's own files.
  const out = await s3.send(
    new ListObjectsCommand({ Bucket: BUCKET, Prefix: `${SESSION.prefix}/`, Delimiter: '/' }),
  );
  const keys = (out.Contents ?? []).flatMap((o) => (o.Key?.endsWith('.m3u8') ? [{ Key: o.Key }] : []));
  for (let i = 0; i < keys.length; i += PAGE) {
    await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.slice(i, i + PAGE) } }));
  }
  return keys.length;
}

/**
 * The seed's split: the whole session listed for every clip, every file whose start lies in
 * [start, end) whatever its pipeline, one playlist written.
 */
async function seedSplit(
  s3: S3Client,
  ranges: ClipRange[],
): Promise<{ droppedStart: number; doubled: number }> {
  let droppedStart = 0;
  let doubled = 0;
  for (const [i, range] of ranges.entries()) {
    const keys: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const out = await s3.send(
        new ListObjectsCommand({
          Bucket: BUCKET,
          Prefix: `${SESSION.prefix}/`,
          MaxKeys: PAGE,
          ...(marker ? { Marker: marker } : {}),
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      marker = out.Contents?.[out.Contents.length - 1]?.Key;
      if (!out.IsTruncated || !marker) break;
    }
    const chosen = keys.flatMap((key) => {
      const parsed = parseArchiveKey(key);
      if (!parsed) return [];
      const at = parsed.counter * SEGMENT_LENGTH;
      return at >= range.start && at < range.end ? [{ key, counter: parsed.counter }] : [];
    });
    if (new Set(chosen.map((c) => c.counter)).size < chosen.length) doubled++;
    if (Math.min(...chosen.map((c) => c.counter)) * SEGMENT_LENGTH > range.start) droppedStart++;
    const playlist = [
      '#EXTM3U',
      `#EXT-X-TARGETDURATION:${SEGMENT_LENGTH}`,
      ...chosen.flatMap((c) => [`#EXTINF:${SEGMENT_LENGTH}`, c.key.slice(SESSION.prefix.length + 1)]),
      '#EXT-X-ENDLIST',
    ].join('\n');
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${SESSION.prefix}/index_seed_${i}.m3u8`, Body: playlist }),
    );
  }
  return { droppedStart, doubled };
}

/** Problems with our clips: coverage beyond one file length of slack, or a playlist mixing pipelines. */
async function checkClips(s3: S3Client, ranges: ClipRange[], out: SplitOutput): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, range] of ranges.entries()) {
    const clip = out.clips[i];
    if (!clip || clip.covered_start === null || clip.covered_end === null || !clip.key) {
      problems.push(`clip ${i}: no playlist`);
      continue;
    }
    const { covered_start: from, covered_end: to } = clip;
    if (from > range.start || to < range.end)
      problems.push(`clip ${i}: [${from}, ${to}) misses part of [${range.start}, ${range.end})`);
    if (from < range.start - SEGMENT_LENGTH || to > range.end + SEGMENT_LENGTH) {
      problems.push(
        `clip ${i}: [${from}, ${to}) has more than ${SEGMENT_LENGTH} s of slack around [${range.start}, ${range.end})`,
      );
    }
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: clip.key }))
    ).Body?.transformToString();
    const files = (body ?? '').split('\n').filter((line) => line.endsWith('.ts'));
    const parsed = files.map((f) => parseArchiveKey(`${SESSION.prefix}/${f}`));
    const counters = parsed.map((p) => p?.counter);
    const expected = Array.from({ length: clip.segments }, (_, k) => from / SEGMENT_LENGTH + k);
    if (files.length !== clip.segments || counters.some((c, k) => c !== expected[k])) {
      problems.push(
        `clip ${i}: playlist files are not counters ${expected[0]}..${expected[expected.length - 1]} once each`,
      );
    }
    if (new Set(parsed.map((p) => p?.pipeline)).size !== 1)
      problems.push(`clip ${i}: playlist mixes pipelines`);
  }
  return problems;
}

function describeCounts(counts: Counts): string {
  return [...counts.entries()].map(([name, n]) => `${name.replace(/Command$/, '')} ${n}`).join(', ');
}

async function main(): Promise<void> {
  const dataDir = process.env.SPLIT_BENCH_DIR ?? path.join(tmpdir(), 'live-streaming-bench', 'split-24h');
  const s3Dir = path.join(dataDir, 's3');
  const cached = seededBefore(dataDir);
  if (!cached && existsSync(s3Dir)) rmSync(s3Dir, { recursive: true, force: true });
  mkdirSync(s3Dir, { recursive: true });

  const server = new S3rver({ port: 0, address: HOST, directory: s3Dir, silent: true });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://${HOST}:${port}`;
  const plain = s3Client(endpoint);
  try {
    console.log(
      `node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]?.toFixed(2)}; s3rver at ${endpoint}`,
    );
    console.log(`data: ${s3Dir}`);
    if (cached) {
      console.log(
        `seed: reused ${cached.objects} objects seeded at ${cached.at} (took ${cached.seconds.toFixed(1)} s then)`,
      );
    } else {
      await plain.send(new CreateBucketCommand({ Bucket: BUCKET }));
      console.log(
        `seed: writing ${FILES_PER_PIPELINE * PIPELINES} objects, ${SEED_CONCURRENCY} at a time...`,
      );
      const ms = await seed(endpoint, dataDir);
      console.log(`seed: ${FILES_PER_PIPELINE * PIPELINES} objects in ${(ms / 1000).toFixed(1)} s`);
    }
    const stale = await removePlaylists(plain);
    if (stale > 0) console.log(`removed ${stale} playlists left by an earlier run`);

    const ranges = clipRanges();
    const lengths = ranges.map((r) => r.end - r.start);
    console.log(
      `clips: ${ranges.length}, ${Math.min(...lengths).toFixed(1)}-${Math.max(...lengths).toFixed(1)} s long, ` +
        `${(lengths.reduce((a, b) => a + b, 0) / 60).toFixed(0)} min in all`,
    );

    // Ours: one warm-up request, then RUNS measured ones, each a single 100-clip request.
    const input = (modifier: string) => ({
      stream_id: 'bench',
      session: SESSION,
      timestamp_list: ranges,
      name_modifier: modifier,
    });
    // The split builds a record per clip, as deployed; the records go to DynamoDB, not S3, so a
    // stand-in keeps them here: they cost no S3 request and are counted on their own.
    const records: ClipRecord[] = [];
    const clips = {
      putClips: async (written: ClipRecord[]) => {
        records.push(...written);
      },
    };
    if (WARMUP) await splitArchive({ s3: plain, bucket: BUCKET, clips }, input('warmup'));
    const runs: Array<{ ms: number; counts: Counts; out: SplitOutput }> = [];
    for (let run = 0; run < RUNS; run++) {
      const counts: Counts = new Map();
      const s3 = s3Client(endpoint, counts);
      records.length = 0;
      const started = performance.now();
      const out = await splitArchive({ s3, bucket: BUCKET, clips }, input(`run${run}`));
      runs.push({ ms: performance.now() - started, counts, out });
      s3.destroy();
    }
    // ClipStore.putClips writes 25 records per BatchWriteItem (DynamoDB's limit).
    console.log(
      `clip records: ${records.length} per request (DynamoDB: ${Math.ceil(records.length / 25)} BatchWriteItem requests)`,
    );
    const problems = await checkClips(plain, ranges, runs[RUNS - 1]!.out);
    const ours = runs[RUNS - 1]!;
    const oursRequests = total(ours.counts);
    for (const [i, r] of runs.entries())
      console.log(`ours run ${i + 1}: ${r.ms.toFixed(0)} ms, ${describeCounts(r.counts)}`);
    const walls = runs.map((r) => r.ms).sort((a, b) => a - b);
    const oursMedian = walls[Math.floor(RUNS / 2)]!;
    await removePlaylists(plain);

    // The seed's algorithm, same clips, same server.
    const baselineClips = Math.min(CLIPS, Number(process.env.BASELINE_CLIPS ?? CLIPS));
    const baseCounts: Counts = new Map();
    const baseS3 = s3Client(endpoint, baseCounts);
    console.log(`baseline: ${baselineClips} clips, each listing the whole session...`);
    const baseStarted = performance.now();
    const baseQuality = await seedSplit(baseS3, ranges.slice(0, baselineClips));
    const baseMs = performance.now() - baseStarted;
    console.log(`baseline: ${(baseMs / 1000).toFixed(1)} s, ${describeCounts(baseCounts)}`);
    baseS3.destroy();
    const baseRequests = total(baseCounts);
    await removePlaylists(plain);

    const perClip = (n: number, clips: number) => (n / clips).toFixed(2);
    console.log('');
    console.log(`| algorithm | clips | wall time | S3 requests | per clip |`);
    console.log(`|---|---|---|---|---|`);
    console.log(
      `| ours (splitArchive) | ${CLIPS} | median ${oursMedian.toFixed(0)} ms (runs: ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms) | ` +
        `${oursRequests} (${describeCounts(ours.counts)}) | ${perClip(oursRequests, CLIPS)} |`,
    );
    console.log(
      `| seed (full listing per clip) | ${baselineClips} | ${(baseMs / 1000).toFixed(1)} s (${(baseMs / baselineClips).toFixed(0)} ms a clip) | ` +
        `${baseRequests} (${describeCounts(baseCounts)}) | ${perClip(baseRequests, baselineClips)} |`,
    );
    console.log('');
    console.log(
      `coverage (ours): ${problems.length === 0 ? `all ${CLIPS} clips cover their range within ${SEGMENT_LENGTH} s of slack, one pipeline, each file once` : `${problems.length} problems`}`,
    );
    for (const p of problems.slice(0, 10)) console.log(`  ${p}`);
    console.log(
      `coverage (seed): ${baseQuality.droppedStart} of ${baselineClips} clips start late (first file dropped), ` +
        `${baseQuality.doubled} play moments twice (both pipelines)`,
    );
    const requestsOk = oursRequests <= TARGETS.requestsPerClip * CLIPS + 2;
    const wallOk = oursMedian <= TARGETS.wallMs;
    console.log(
      `targets: ≤ ${TARGETS.requestsPerClip} requests a clip + a constant: ${requestsOk ? 'met' : 'MISSED'}; ` +
        `100-clip request ≤ ${TARGETS.wallMs} ms: ${wallOk ? 'met' : 'MISSED'}; coverage: ${problems.length === 0 ? 'met' : 'MISSED'}`,
    );
    if (!requestsOk || !wallOk || problems.length > 0) process.exitCode = 1;
  } finally {
    plain.destroy();
    await server.close();
  }
}

await main();
