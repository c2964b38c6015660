/**
 * Once per `vitest run`, before any test file: the functions' bundles (infra/bundling: what the
 * workflow tests and local mode run, as deployed), and the folder where every test process records
 * the AWS calls its functions make (for the IAM conformance test, which runs last).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleAll } from '../../infra/bundling/bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    awsCallLogDir: string;
  }
}

/**
 * Both projects (the suite, then the IAM test) run this setup, each with its own copy of this
 * module: the first one makes the folder and leaves its path in this process's environment.
 */
const SHARED = 'LIVE_TEST_AWS_CALL_LOG_DIR';

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const shared = process.env[SHARED];
  if (shared) {
    project.provide('awsCallLogDir', shared);
    return undefined;
  }
  await bundleAll();
  const dir = mkdtempSync(path.join(tmpdir(), 'aws-calls-'));
  process.env[SHARED] = dir;
  project.provide('awsCallLogDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
