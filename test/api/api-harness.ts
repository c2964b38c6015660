/**
 * The API as it runs in Lambda, minus AWS: the real handler, StreamStore and idempotency store on
 * dynalite, the real SfnWorkflowStarter with its SFNClient mocked, and a Powertools Logger whose
 * printed lines are captured (so tests can check what would reach CloudWatch).
 */
import 'aws-sdk-client-mock-vitest/extend';
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { type ApiConfig, type ApiDeps, type ApiHandler, createApi } from '../../api/app.js';
import { ArchiveAccess } from '../../api/archive-access.js';
import { DynamoIdempotencyStore } from '../../api/idempotency.js';
import { SfnWorkflowStarter } from '../../api/workflow-starter.js';
import { ClipStore } from '../../core/clip-store.js';
import type { LifecycleAction, StreamRecord } from '../../core/stream.js';
import { StreamStore } from '../../core/stream-store.js';
import { anIdleStream } from '../support/builders.js';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS } from '../support/dynalite.js';

export const MACHINES: Readonly<Record<LifecycleAction, string>> = {
  create: 'arn:aws:states:us-east-1:123456789012:stateMachine:CreateStream',
  start: 'arn:aws:states:us-east-1:123456789012:stateMachine:StartStream',
  stop: 'arn:aws:states:us-east-1:123456789012:stateMachine:StopStream',
  delete: 'arn:aws:states:us-east-1:123456789012:stateMachine:DeleteStream',
  'go-live': 'arn:aws:states:us-east-1:123456789012:stateMachine:GoLive',
  'end-live': 'arn:aws:states:us-east-1:123456789012:stateMachine:EndLive',
};
export const SPLIT_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:SplitArchive';
export const ARCHIVE_BUCKET = 'api-test-archive';

export const DEFAULT_CONFIG: ApiConfig = {
  cloudfront: true,
  encryption: false,
  defaultMaxDurationSeconds: null,
};

export interface CallOptions {
  body?: string | null;
  /** JSON-encoded into the body, with `content-type: application/json` unless headers say otherwise. */
  json?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string> | null;
  isBase64Encoded?: boolean;
  requestId?: string;
}

export interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  /** The raw body, for "never contains" checks. */
  raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in assertions
  body: any;
}

export interface LogCapture {
  /** Every line the logger printed since the last `clear()`. */
  readonly lines: string[];
  parsed(): Array<Record<string, unknown>>;
  clear(): void;
}

export interface ApiHarness {
  db: LocalDynamo;
  store: StreamStore;
  sfn: AwsClientStub<SFNClient>;
  /** The archive bucket as the API sees it: empty everywhere unless a test says otherwise. */
  s3: AwsClientStub<S3Client>;
  logs: LogCapture;
  handler: ApiHandler;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Writes a record straight to the table, as a workflow would have left it. */
  seed(record: StreamRecord): Promise<StreamRecord>;
  /** Rebuilds the handler with another deployment configuration (same table, mocks and logs). */
  withConfig(config: Partial<ApiConfig>): ApiHarness;
  /** Sets the default SFN and S3 answers again (after a test made StartExecution fail, or filled the archive). */
  resetSfn(): void;
  close(): Promise<void>;
}

let requestCounter = 0;

/** The secret part of an RTMP URL (what must never be listed or logged). */
export function streamKeyOf(rtmpUrl: string | null): string {
  const key = rtmpUrl?.split('/').pop();
  if (!key) throw new Error(`no stream key in ${rtmpUrl}`);
  return key;
}

/** An idle stream whose stream keys appear nowhere else in the record. */
export function aKeyedStream(overrides: Partial<StreamRecord> = {}): StreamRecord {
  return anIdleStream({
    rtmp1: `rtmp://203.0.113.10:1935/live/${randomBytes(16).toString('hex')}`,
    rtmp2: `rtmp://203.0.113.11:1935/live/${randomBytes(16).toString('hex')}`,
    ...overrides,
  });
}

export function apiEvent(method: string, path: string, options: CallOptions = {}): APIGatewayProxyEvent {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body = options.body ?? null;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  const requestId = options.requestId ?? `req-${process.pid}-${++requestCounter}`;
  return {
    httpMethod: method,
    path,
    resource: path,
    headers,
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: { requestId } as APIGatewayProxyEvent['requestContext'],
  };
}

export function readAnswer(result: APIGatewayProxyResult): Answer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  let body: unknown;
  try {
    body = JSON.parse(result.body);
  } catch {
    body = undefined;
  }
  return { statusCode: result.statusCode, headers, raw: result.body, body };
}

/**
 * Captures what the logger prints. Powertools builds its own `Console` over process.stdout and
 * process.stderr, so the lines are taken at the streams' `write`, exactly as Lambda would ship them.
 */
export function captureLogs(serviceName: string): LogCapture & { restore(): void } {
  const lines: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap = (original: typeof process.stdout.write) =>
    function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      if (text.includes(`"service":"${serviceName}"`)) {
        for (const line of text.split('\n')) if (line.trim() !== '') lines.push(line);
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = tap(originals.out);
  process.stderr.write = tap(originals.err);
  return {
    lines,
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => {
      lines.length = 0;
    },
    restore: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

export function startExecutionOk(input: { name?: string; stateMachineArn?: string }) {
  const machine = input.stateMachineArn ?? MACHINES.create;
  return {
    executionArn: `${machine.replace(':stateMachine:', ':execution:')}:${input.name ?? 'x'}`,
    startDate: new Date(),
  };
}

export async function startApi(
  config: Partial<ApiConfig> = {},
  /** The health and thumbnail routes' clients; without them those routes answer FeatureNotConfigured. */
  media?: ApiDeps['media'],
): Promise<ApiHarness> {
  const db = await startDynalite(`streams-api-${process.pid}`);
  const store = new StreamStore(db.doc, db.tableName);
  const idempotency = new DynamoIdempotencyStore(db.doc, db.tableName);
  const sfnClient = new SFNClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
  const sfn = mockClient(sfnClient);
  const serviceName = `api-test-${process.pid}`;
  const logs = captureLogs(serviceName);
  const logger = new Logger({ serviceName, logLevel: 'DEBUG' });
  const workflows = new SfnWorkflowStarter(sfnClient, MACHINES, SPLIT_MACHINE);
  const s3Client = new S3Client({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
  const s3 = mockClient(s3Client);
  const archive = new ArchiveAccess(s3Client, ARCHIVE_BUCKET);

  const resetSfn = () => {
    sfn.reset();
    s3.reset();
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    sfn.on(StartExecutionCommand).callsFake(startExecutionOk);
    sfn
      .on(StartSyncExecutionCommand)
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify({ indexes: [], clips: [] }) });
  };
  resetSfn();

  const build = (cfg: Partial<ApiConfig>): ApiHarness => {
    const handler = createApi({
      store,
      clips: new ClipStore(db.doc, db.tableName),
      workflows,
      archive,
      idempotency,
      logger,
      config: { ...DEFAULT_CONFIG, ...cfg },
      media,
    });
    return {
      db,
      store,
      sfn,
      s3,
      logs,
      handler,
      call: async (method, path, options) => readAnswer(await handler(apiEvent(method, path, options))),
      seed: (record) => store.create(record),
      withConfig: (more) => build({ ...cfg, ...more }),
      resetSfn,
      close: async () => {
        logs.restore();
        sfn.restore();
        s3.restore();
        await db.close();
      },
    };
  };
  return build(config);
}

/** Every 4xx/5xx of the API has this shape. */
export function expectErrorShape(answer: Answer): void {
  const error = answer.body?.error;
  if (typeof error?.code !== 'string' || typeof error?.message !== 'string') {
    throw new Error(`not an error body: ${answer.raw.slice(0, 300)}`);
  }
  if (error.details !== undefined) {
    if (!Array.isArray(error.details))
      throw new Error(`details is not an array: ${answer.raw.slice(0, 300)}`);
    for (const d of error.details) {
      if (typeof d?.field !== 'string' || typeof d?.reason !== 'string') {
        throw new Error(`detail without field/reason: ${JSON.stringify(d)}`);
      }
    }
  }
}
