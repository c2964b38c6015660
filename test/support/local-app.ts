/** A local app on free ports for end-to-end tests, with a small API client. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type LocalApp, startLocalApp } from '../../infra/local/app.js';
import { recordAwsCall, recordMediaConvertJob } from './aws-call-log.js';

export const FREE_PORTS = {
  dynamodb: 0,
  s3: 0,
  sfn: 0,
  media: 0,
  rtmp: 0,
  origin: 0,
  cdn: 0,
  events: 0,
  scheduler: 0,
  cloudwatch: 0,
  secretsmanager: 0,
};

/** Ports of a running app, to restart it on the same ones (clients built once keep their endpoints). */
export function portsOf(app: LocalApp): typeof FREE_PORTS & { api: number } {
  const port = (url: string) => Number(new URL(url).port);
  const e = app.endpoints;
  return {
    api: port(e.api),
    dynamodb: port(e.dynamodb),
    s3: port(e.s3),
    sfn: port(e.stepfunctions),
    media: port(e.medialive),
    rtmp: port(e.rtmp.replace('rtmp:', 'http:')),
    origin: port(e.hls),
    cdn: port(e.cdn),
    events: port(e.eventbridge),
    scheduler: port(e.scheduler),
    cloudwatch: port(e.cloudwatch),
    secretsmanager: port(e.secretsmanager),
  };
}

export async function startTestApp(
  dataDir = mkdtempSync(path.join(tmpdir(), 'live-e2e-')),
  ports: typeof FREE_PORTS & { api?: number } = FREE_PORTS,
): Promise<LocalApp & { dataDir: string }> {
  const { api, ...services } = ports;
  const app = await startLocalApp({
    dataDir,
    apiPort: api ?? 0,
    apiToken: 'test-token',
    ports: services,
    timings: { createMs: 300, startMs: 1000, stopMs: 500, deleteMs: 300, updateMs: 100 },
    pollIntervalMs: 100,
    log: () => undefined,
    functionLogLevel: 'WARN',
    onAwsCall: recordAwsCall,
    onMediaConvertJob: recordMediaConvertJob,
  });
  return Object.assign(app, { dataDir });
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown> & Array<Record<string, unknown>>;
  headers: Headers;
}

export function apiClient(app: { apiUrl: string; token: string }) {
  const call = async (method: string, route: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(`${app.apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as ApiAnswer['body'], headers: res.headers };
  };
  const waitForStatus = async (id: string, status: string, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: ApiAnswer | undefined;
    while (Date.now() < deadline) {
      last = await call('GET', `/streams/${id}`);
      if (last.body.status === status) return last.body;
      if (status === 'GONE' && last.status === 404) return last.body;
      if (last.body.status === 'FAILED' && status !== 'FAILED') {
        throw new Error(`stream ${id} FAILED: ${JSON.stringify(last.body.error)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`stream ${id} did not reach ${status}; last: ${JSON.stringify(last?.body)}`);
  };
  return { call, waitForStatus };
}
