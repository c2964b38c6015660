/**
 * `npm run bench:api`: the API Lambda's bundle size, its cold import time, and the handler's latency.
 *
 * 1. Bundles api/handler.ts as the CDK NodejsFunction does (bench/build-api.ts) and reports its size.
 * 2. Imports the bundle in a fresh `node` process, COLD_RUNS times, and reports the median time of
 *    the `import()` (what Lambda's init phase adds to the runtime's own start) and of the whole
 *    process up to the end of the import.
 * 3. Runs the bundle's `handler` in a child process against dynalite (in this process, over HTTP as
 *    DynamoDB would be) and an in-process fake Step Functions endpoint, reached through the SDK's
 *    standard AWS_ENDPOINT_URL_<SERVICE> variables: REQUESTS × GET /streams/{id} and
 *    REQUESTS × POST /streams after WARMUP requests of each, and reports p50/p99.
 *
 * Nothing here talks to AWS: every endpoint is on 127.0.0.1 and the credentials are dummies.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import dynalite from 'dynalite';
import { createTableInput } from '../core/table-schema.js';
import { SPLIT_WORKFLOW, WORKFLOWS } from '../core/workflows.js';
import { buildApiBundle, kb } from './build-api.js';

const COLD_RUNS = 10;
const REQUESTS = 1000;
const WARMUP = 50;
const TABLE = 'streams-bench';
const TARGETS = { bundleKb: 300, coldImportMs: 150, p99Ms: 15 };

interface LatencyResult {
  get: Stats;
  post: Stats;
}
interface Stats {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

const median = (values: number[]) => quantile(values, 0.5);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function stats(samples: number[]): Stats {
  return {
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    max: Math.max(...samples),
  };
}

/** The environment handler.ts requires, pointing every AWS client at 127.0.0.1. */
function lambdaEnv(dynamoEndpoint: string, sfnEndpoint: string): NodeJS.ProcessEnv {
  const arn = (name: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    // The SDK warns about Node 20 once per process; the Lambda runs Node 22.
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SFN: sfnEndpoint,
    TABLE_NAME: TABLE,
    CLOUDFRONT_ENABLED: 'true',
    ENCRYPTION_ENABLED: 'false',
    [SPLIT_WORKFLOW.env]: arn(SPLIT_WORKFLOW.machineName),
  };
  for (const w of Object.values(WORKFLOWS)) env[w.env] = arn(w.machineName);
  return env;
}

function coldImports(
  bundle: string,
  env: NodeJS.ProcessEnv,
): { importMs: number; cpuMs: number; processMs: number } {
  // CPU time is reported beside wall time: on a shared machine it moves far less with the load.
  const script = `const t0 = performance.now();
const c0 = process.cpuUsage();
await import(${JSON.stringify(pathToFileURL(bundle).href)});
const t1 = performance.now();
const c = process.cpuUsage(c0);
const result = { importMs: t1 - t0, cpuMs: (c.user + c.system) / 1000, processMs: t1 };
process.stdout.write('BENCH ' + JSON.stringify(result) + '\\n');`;
  const imports: number[] = [];
  const cpu: number[] = [];
  const processes: number[] = [];
  // One unmeasured run: the first read of the file comes from disk, later ones (and Lambda's) do not.
  for (let i = 0; i <= COLD_RUNS; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`importing the bundle failed:\n${run.stderr}`);
    const { importMs, cpuMs, processMs } = JSON.parse(/^BENCH (.*)$/m.exec(run.stdout)?.[1] ?? 'null') as {
      importMs: number;
      cpuMs: number;
      processMs: number;
    };
    if (i === 0) continue;
    imports.push(importMs);
    cpu.push(cpuMs);
    processes.push(processMs);
  }
  return { importMs: median(imports), cpuMs: median(cpu), processMs: median(processes) };
}

/** Answers StartExecution like Step Functions (awsJson1_0), instantly. */
function fakeStepFunctions(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(body || '{}') as { stateMachineArn?: string; name?: string };
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (target.endsWith('.StartExecution')) {
        const arn = `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${input.name}`;
        res.end(JSON.stringify({ executionArn: arn, startDate: Date.now() / 1000 }));
      } else {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function latency(bundle: string, env: NodeJS.ProcessEnv): Promise<LatencyResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--latency-worker', bundle],
    {
      env: { ...env, BENCH_REQUESTS: String(REQUESTS), BENCH_WARMUP: String(WARMUP) },
      // The handler's log lines go to /dev/null, as cheap as Lambda's stdout; results come by IPC.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.on('message', (m) => resolve(m as LatencyResult));
    child.on('exit', (code) =>
      code === 0 ? undefined : reject(new Error(`latency worker exited with ${code}`)),
    );
  });
}

/** Runs in the child: imports the bundle like Lambda and calls its handler in a loop. */
async function latencyWorker(bundle: string): Promise<void> {
  const { handler } = (await import(pathToFileURL(bundle).href)) as {
    handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  };
  const requests = Number(process.env.BENCH_REQUESTS);
  const warmup = Number(process.env.BENCH_WARMUP);
  let n = 0;
  const event = (method: string, path: string, body: string | null): APIGatewayProxyEvent =>
    ({
      httpMethod: method,
      path,
      headers: body ? { 'content-type': 'application/json' } : {},
      queryStringParameters: null,
      body,
      isBase64Encoded: false,
      requestContext: { requestId: `bench-${++n}` },
    }) as unknown as APIGatewayProxyEvent;
  const timed = async (method: string, path: string, body: string | null, expected: number) => {
    const t0 = performance.now();
    const result = await handler(event(method, path, body));
    const ms = performance.now() - t0;
    if (result.statusCode !== expected)
      throw new Error(`${method} ${path} answered ${result.statusCode}: ${result.body}`);
    return { ms, result };
  };
  const post = () => timed('POST', '/streams', '{"name":"bench","description":"latency run"}', 202);
  const { result } = await post();
  const id = (JSON.parse(result.body) as { id: string }).id;
  const get = () => timed('GET', `/streams/${id}`, null, 200);
  for (let i = 0; i < warmup; i++) await get();
  for (let i = 0; i < warmup; i++) await post();
  const gets: number[] = [];
  for (let i = 0; i < requests; i++) gets.push((await get()).ms);
  const posts: number[] = [];
  for (let i = 0; i < requests; i++) posts.push((await post()).ms);
  process.send?.({ get: stats(gets), post: stats(posts) } satisfies LatencyResult);
  process.disconnect?.();
}

async function main(): Promise<void> {
  const load = loadavg().map((l) => l.toFixed(2));
  const bundle = await buildApiBundle();
  console.log(
    `bundle        cold start loads ${kb(bundle.bytes)} KB minified (target ≤ ${TARGETS.bundleKb} KB); ${kb(bundle.totalBytes)} KB deployed with the chunks loaded by a route's first request`,
  );
  for (const p of bundle.packages.slice(0, 6))
    console.log(`  ${p.name.padEnd(34)} ${kb(p.bytes).padStart(7)} KB`);

  const cold = coldImports(bundle.file, lambdaEnv('http://127.0.0.1:9', 'http://127.0.0.1:9'));
  console.log(
    `cold import   ${cold.importMs.toFixed(1)} ms median of ${COLD_RUNS}, ${cold.cpuMs.toFixed(1)} ms CPU (process start to handler ready: ${cold.processMs.toFixed(1)} ms; target ≤ ${TARGETS.coldImportMs} ms)`,
  );

  const db = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', () => resolve()));
  const dynamoEndpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  await client.send(new CreateTableCommand(createTableInput(TABLE)));
  client.destroy();
  const sfn = await fakeStepFunctions();
  const sfnEndpoint = `http://127.0.0.1:${(sfn.address() as AddressInfo).port}`;
  try {
    const result = await latency(bundle.file, lambdaEnv(dynamoEndpoint, sfnEndpoint));
    const line = (name: string, s: Stats) =>
      `${name.padEnd(20)} p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  mean ${s.mean.toFixed(2)} ms  max ${s.max.toFixed(1)} ms`;
    console.log(line('GET /streams/{id}', result.get));
    console.log(line('POST /streams', result.post));
    console.log(`(${REQUESTS} requests each after ${WARMUP} warm-up; p99 target ≤ ${TARGETS.p99Ms} ms)`);
  } finally {
    await new Promise<void>((resolve) => sfn.close(() => resolve()));
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
  console.log(
    `machine       ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`,
  );
  console.log(
    `load average  ${load.join(' ')} at start, ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at end`,
  );
}

if (process.argv[2] === '--latency-worker') {
  await latencyWorker(process.argv[3] as string);
} else {
  await main();
}
