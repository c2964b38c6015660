/**
 * `npm run bench:rtmp-fuzz`: the local RTMP ingest against BENCH_SESSIONS (default 10,000) seeded
 * hostile sessions (test/infra/local/media/plane/rtmp-fuzz-cases.ts: malformed handshakes, broken
 * AMF0 commands, bad chunks, mutated publishes, abrupt closes), CONCURRENCY at a time.
 *
 * The ingest runs in a child process, as in local mode, so that a crash is what it would be there:
 * the process exits. The bench counts such exits (target 0) and restarts the child to go on. Every
 * PROBE_EVERY sessions a well-behaved publisher checks that the server still admits a publish.
 * Printed: crashes, failed probes, sessions per second, the child's memory at the end, and how the
 * contained failures were logged.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RtmpIngestServer } from '../infra/local/media/plane/rtmp-ingest.js';
import {
  fuzzSession,
  publishes,
  runSession,
  seededRandom,
  validPublish,
} from '../test/infra/local/media/plane/rtmp-fuzz-cases.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const SEED = Number(process.env.BENCH_SEED ?? 0x5eed1);
const CONCURRENCY = 16;
const PROBE_EVERY = 500;
const FUZZ_KEY = 'fuzzKnownKey0123456789abcdef';
const PROBE_KEY = 'probeKey0123456789abcdef0000';

interface ServerStats {
  rssMb: number;
  heapMb: number;
  lines: number;
  contained: number;
  internal: number;
  multiLine: number;
  leakedKey: boolean;
  reasons: Record<string, number>;
}

/** Child mode: one ingest, reporting its port, then its stats on request. */
async function serve(): Promise<void> {
  const lines: string[] = [];
  const server = new RtmpIngestServer({
    host: '127.0.0.1',
    port: 0,
    admitPublish: (app, name) =>
      app === 'live' && (name === FUZZ_KEY || name === PROBE_KEY) ? undefined : 'unknown stream key',
    onReady: () => {},
    onUnpublish: () => {},
    logger: (line) => lines.push(line),
  });
  const port = await server.listen();
  process.send?.({ port });
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const reasons: Record<string, number> = {};
    for (const line of lines) {
      const reason = /closed the connection from [^:]+: (.*)$/.exec(line)?.[1]?.replace(/\d+/g, 'N');
      if (reason) reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    const memory = process.memoryUsage();
    const stats: ServerStats = {
      rssMb: memory.rss / 2 ** 20,
      heapMb: memory.heapUsed / 2 ** 20,
      lines: lines.length,
      contained: lines.filter((l) => l.includes('closed the connection')).length,
      internal: lines.filter((l) => l.includes('internal error')).length,
      multiLine: lines.filter((l) => l.includes('\n')).length,
      leakedKey: lines.some((l) => l.includes(FUZZ_KEY) || l.includes(PROBE_KEY)),
      reasons,
    };
    process.send?.(stats);
  });
}

interface Child {
  process: ChildProcess;
  port: number;
  exited: boolean;
}

function startChild(onCrash: (code: number | null, signal: string | null) => void): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const state: Child = { process: child, port: 0, exited: false };
    child.once('message', (message: { port: number }) => {
      state.port = message.port;
      resolve(state);
    });
    child.on('exit', (code, signal) => {
      state.exited = true;
      onCrash(code, signal);
    });
    child.on('error', reject);
  });
}

async function main(): Promise<void> {
  console.log(`RTMP ingest fuzz benchmark, ${new Date().toISOString()}`);
  console.log(`machine       ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
  console.log(
    `load average  ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
  );
  console.log(`sessions      ${SESSIONS}, seed ${SEED}, ${CONCURRENCY} at a time`);

  let crashes = 0;
  let stopping = false;
  const crashed: string[] = [];
  let child: Child;
  const onCrash = (code: number | null, signal: string | null) => {
    if (stopping) return;
    crashes += 1;
    crashed.push(`exit ${signal ?? code}`);
  };
  child = await startChild(onCrash);

  const random = seededRandom(SEED);
  const kinds = new Map<string, number>();
  let probesFailed = 0;
  let probes = 0;
  let next = 0;
  let restarting: Promise<void> | undefined;
  const began = performance.now();
  const worker = async () => {
    while (next < SESSIONS) {
      const index = next++;
      if (child.exited) {
        restarting ??= startChild(onCrash).then((fresh) => {
          child = fresh;
          restarting = undefined;
        });
        await restarting;
      }
      const session = fuzzSession(random, 'live', FUZZ_KEY);
      kinds.set(session.kind, (kinds.get(session.kind) ?? 0) + 1);
      await runSession(child.port, session);
      if (index % PROBE_EVERY === PROBE_EVERY - 1) {
        probes += 1;
        if (!(await publishes(child.port, validPublish('live', PROBE_KEY)))) probesFailed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - began) / 1000;

  // The stats are the last child's: after a crash, a fresh one (they only say something without crashes).
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (child.exited) child = await startChild(onCrash);
  const stats = await new Promise<ServerStats>((resolve) => {
    child.process.once('message', (message: ServerStats) => resolve(message));
    child.process.send('stats');
  });
  stopping = true;
  child.process.kill();

  console.log(`kinds         ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  console.log(`crashes       ${crashes}${crashed.length ? ` (${crashed.join(', ')})` : ''} (target 0)`);
  console.log(`probes        ${probes - probesFailed} of ${probes} well-behaved publishers admitted`);
  console.log(`throughput    ${(SESSIONS / seconds).toFixed(0)} sessions/s (${seconds.toFixed(1)} s)`);
  console.log(
    `server        ${stats.rssMb.toFixed(0)} MB RSS, ${stats.heapMb.toFixed(0)} MB heap at the end; ${stats.lines} log lines, ` +
      `${stats.contained} contained failures, ${stats.internal} internal errors, ${stats.multiLine} multi-line, ` +
      `stream key in a line: ${stats.leakedKey ? 'YES' : 'no'}`,
  );
  const reasons = Object.entries(stats.reasons).sort((a, b) => b[1] - a[1]);
  for (const [reason, count] of reasons.slice(0, 12))
    console.log(`  ${String(count).padStart(6)}  ${reason}`);
  if (reasons.length > 12) console.log(`  … and ${reasons.length - 12} more kinds`);
  console.log(
    `load average  ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at end`,
  );
  const failed = crashes > 0 || probesFailed > 0 || stats.internal > 0 || stats.leakedKey;
  console.log(`${failed ? 'MISSES TARGET' : 'MEETS TARGET'}  0 crashes, every probe admitted, no key logged`);
  console.log(`${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
}

if (process.argv.includes('--serve')) await serve();
else await main();
