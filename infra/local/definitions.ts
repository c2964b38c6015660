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
 * `renderWorkflows` costs a CDK synth (20 s of CPU on 2 cores). The result depends only on the
 * state machine sources, so it is committed in infra/local/workflows.rendered.json with the hash
 * of those sources (`npm run render:workflows` writes it; a test fails when it is stale), and
 * cached under node_modules/.cache for a working tree whose sources changed since.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RENDERED_FILE = path.join(ROOT, 'infra', 'local', 'workflows.rendered.json');

/** Definitions reference only the task Lambdas' ARNs; table, bucket and distribution reach the
 * tasks through their environment, so fixed names render the same definitions. */
const FIXED_OPTIONS: RenderOptions = {
  tableName: 'live-streams',
  archiveBucket: 'live-archive',
  inputSecurityGroupId: 'local',
  liveDistribution: { distributionId: 'ELOCAL', domainName: 'cdn.local', cachePolicyId: 'local' },
};

interface RenderedFile {
  sourceHash: string;
  machines: RenderedMachine[];
  tasks: Array<[string, string]>;
}

/** Hash of everything a rendered definition depends on. */
export function definitionSourceHash(): string {
  const hash = createHash('sha256').update(JSON.stringify(FIXED_OPTIONS));
  const sources = [
    ...readdirSync(path.join(ROOT, 'state-machines')).map((f) => path.join('state-machines', f)),
    path.join('core', 'workflows.ts'),
  ];
  for (const file of sources.filter((f) => f.endsWith('.ts')).sort()) {
    hash
      .update(file.replaceAll(path.sep, '/'))
      .update(readFileSync(path.join(ROOT, file), 'utf8').replace(/\r\n/g, '\n'));
  }
  return hash.digest('hex').slice(0, 32);
}

function readRendered(file: string, sourceHash: string): RenderedWorkflows | undefined {
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as RenderedFile;
  if (saved.sourceHash !== sourceHash) return undefined;
  return { machines: saved.machines, tasks: new Map(saved.tasks) };
}

export async function renderFresh(): Promise<RenderedWorkflows> {
  const { renderWorkflows } = await import('./render-definitions.js');
  return renderWorkflows(FIXED_OPTIONS);
}

export function writeRendered(file: string, sourceHash: string, rendered: RenderedWorkflows): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const body: RenderedFile = { sourceHash, machines: rendered.machines, tasks: [...rendered.tasks] };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 1)}\n`);
  renameSync(tmp, file);
}

export async function renderWorkflowsCached(): Promise<RenderedWorkflows> {
  const sourceHash = definitionSourceHash();
  const committed = readRendered(RENDERED_FILE, sourceHash);
  if (committed) return committed;
  const cached = path.join(ROOT, 'node_modules', '.cache', 'live-workflows', `${sourceHash}.json`);
  const fromCache = readRendered(cached, sourceHash);
  if (fromCache) return fromCache;
  const rendered = await renderFresh();
  writeRendered(cached, sourceHash, rendered);
  return rendered;
}
