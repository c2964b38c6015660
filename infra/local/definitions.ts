/**
 * The app's own state machine definitions for local mode and workflow tests (see
 * render-definitions.ts), cached so that a start does not pay for a CDK synth when nothing changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export interface RenderedMachine {
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: Record<string, unknown>;
}

export interface RenderedWorkflows {
  machines: RenderedMachine[];
  /** Lambda function ARN → task module name (tasks/<name>.ts). */
  tasks: Map<string, string>;
}

export interface RenderOptions {
  tableName: string;
  archiveBucket: string;
  inputSecurityGroupId: string;
  liveDistribution?: { distributionId: string; domainName: string; cachePolicyId: string };
}

/**
 * `renderWorkflows` costs a CDK synth (seconds). The result depends only on the state machine
 * sources and the options, so it is cached under node_modules/.cache keyed by their hash: a change
 * to any definition source renders anew.
 */
export async function renderWorkflowsCached(): Promise<RenderedWorkflows> {
  // Definitions reference only the task Lambdas' ARNs; table, bucket and distribution reach the
  // tasks through their environment, so fixed names render the same definitions.
  const options: RenderOptions = {
    tableName: 'live-streams',
    archiveBucket: 'live-archive',
    inputSecurityGroupId: 'local',
    liveDistribution: { distributionId: 'ELOCAL', domainName: 'cdn.local', cachePolicyId: 'local' },
  };
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const hash = createHash('sha256').update(JSON.stringify(options));
  const sources = [
    ...readdirSync(path.join(root, 'state-machines')).map((f) => path.join('state-machines', f)),
    path.join('core', 'workflows.ts'),
  ];
  for (const file of sources.filter((f) => f.endsWith('.ts')).sort()) {
    hash.update(file).update(readFileSync(path.join(root, file)));
  }
  const cacheDir = path.join(root, 'node_modules', '.cache', 'live-workflows');
  const file = path.join(cacheDir, `${hash.digest('hex').slice(0, 32)}.json`);
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { machines: RenderedMachine[]; tasks: Array<[string, string]> };
    return { machines: cached.machines, tasks: new Map(cached.tasks) };
  }
  const { renderWorkflows } = await import('./render-definitions.js');
  const rendered = renderWorkflows(options);
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ machines: rendered.machines, tasks: [...rendered.tasks] }));
  renameSync(tmp, file);
  return rendered;
}
