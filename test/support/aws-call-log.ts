/**
 * Every AWS call the app's functions make in the test suite, appended to one file per test process
 * in the folder the global setup made (AWS_CALL_LOG_DIR): the IAM conformance test (test/iam), which
 * runs after every other test file, evaluates them all against the roles as synthesized.
 */
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AwsCall } from '../../infra/local/functions/local-functions.js';
import type { LocalJobRecord } from '../../infra/local/mediaconvert/local-mediaconvert.js';

/** Where the jobs of the local MediaConvert go, beside the calls: its role's reads and writes. */
export const MEDIACONVERT_JOBS_PREFIX = 'mediaconvert-jobs-';

/** Outputs are kept only where IAM needs them: the id of a created resource names its ARN. */
const KEEP_OUTPUT = /^Create/;

function file(): string | undefined {
  const dir = process.env.AWS_CALL_LOG_DIR;
  return dir ? path.join(dir, `calls-${process.pid}.jsonl`) : undefined;
}

export function recordAwsCall(call: AwsCall): void {
  const target = file();
  if (!target) return;
  const kept = KEEP_OUTPUT.test(call.command) ? call : { ...call, output: undefined };
  appendFileSync(
    target,
    `${JSON.stringify(kept, (_key, value) => (isBinary(value) ? '<binary>' : value))}\n`,
  );
}

function isBinary(value: unknown): boolean {
  return (
    value instanceof Uint8Array ||
    (typeof value === 'object' && value !== null && 'pipe' in value && typeof value.pipe === 'function')
  );
}

/** A job the local MediaConvert ran: the IAM conformance test evaluates its role's reads and writes. */
export function recordMediaConvertJob(job: LocalJobRecord): void {
  const dir = process.env.AWS_CALL_LOG_DIR;
  if (!dir) return;
  appendFileSync(
    path.join(dir, `${MEDIACONVERT_JOBS_PREFIX}${process.pid}.ndjson`),
    `${JSON.stringify(job)}\n`,
  );
}
