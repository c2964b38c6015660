/**
 * Checks that need no AWS call: the deployment options as the CDK app will read them, the built web
 * console, and SDK settings that would point the doctor (and the app) somewhere else than AWS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  type DeploymentConfig,
  OPEN_TO_INTERNET_CIDR,
  readDeploymentConfig,
  unknownContextOptions,
} from '../config.js';
import {
  type ConsoleSiteOptions,
  DEFAULT_CONSOLE_ASSETS_DIR,
  readConsoleSiteOptions,
} from '../console-site.js';
import { contextReader } from './options.js';
import { type CheckResult, fail, ok, warn } from './report.js';

export interface ReadOptions {
  /** `null` when an option is invalid (the `options` check says which). */
  config: DeploymentConfig | null;
  console: ConsoleSiteOptions | null;
  results: CheckResult[];
}

/** Parses the options with the app's own parsers: the same values, defaults and messages as synth. */
export function checkOptions(context: Record<string, unknown>): ReadOptions {
  const read = contextReader(context);
  const id = 'options';
  const title = 'Deployment options';
  const results: CheckResult[] = [];
  let config: DeploymentConfig | null = null;
  let console: ConsoleSiteOptions | null = null;
  const problems: string[] = [];
  try {
    config = readDeploymentConfig(read);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  try {
    console = readConsoleSiteOptions(read, config?.auth === 'cognito');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || config === null) {
    results.push(
      fail(
        id,
        title,
        problems.join('; '),
        'correct these options in cdk.json or the -c flags (README: Deploy to AWS, Options)',
      ),
    );
    return { config: null, console: null, results };
  }
  results.push(ok(id, title, describeConfig(config)));

  const unknown = unknownContextOptions(Object.keys(context));
  if (unknown.length > 0)
    results.push(
      warn(
        'unknown-options',
        'Unknown options',
        `${unknown.join(', ')}: not options of this app, ignored by the deploy`,
        'check the spelling against README (Deploy to AWS, Options)',
      ),
    );

  if (config.inputCidrs.some((cidr) => cidr.endsWith('/0')))
    results.push(
      warn(
        'input-cidrs',
        'RTMP ingest allow list',
        `input_cidrs allows ${OPEN_TO_INTERNET_CIDR}: anyone with a stream key can push`,
        `-c input_cidrs='["<your encoders' CIDR>"]'`,
      ),
    );
  else results.push(ok('input-cidrs', 'RTMP ingest allow list', config.inputCidrs.join(', ')));

  if (config.auth === 'cognito')
    results.push(checkConsoleBuild(console?.assetsDir ?? DEFAULT_CONSOLE_ASSETS_DIR));
  return { config, console, results };
}

function describeConfig(config: DeploymentConfig): string {
  const parts = [
    `stack_prefix=${config.stackPrefix}`,
    `auth=${config.auth}`,
    `using_cloudfront=${config.liveCdn !== null}`,
  ];
  if (config.liveCdn?.domainName) parts.push(`cloudfront_live_domain=${config.liveCdn.domainName}`);
  if (config.archiveBucketName) parts.push(`archive_bucket_name=${config.archiveBucketName}`);
  if (config.speke) parts.push('speke (HLS encryption) on');
  return parts.join(', ');
}

/** With `auth=cognito` the synth packages the built console; without it synth stops. */
export function checkConsoleBuild(dir: string): CheckResult {
  const id = 'console-build';
  const title = 'Built web console';
  if (existsSync(join(dir, 'index.html'))) return ok(id, title, `${dir} is built`);
  return fail(
    id,
    title,
    `auth=cognito deploys the web console, but ${join(dir, 'index.html')} does not exist`,
    'npm run build:console (or point console_assets_dir at a built console)',
  );
}

/**
 * `AWS_ENDPOINT_URL*` variables (local mode sets them) send SDK calls elsewhere than AWS: the doctor
 * would check the local doubles, and the deploy's own lookups would go astray.
 */
export function checkEndpointOverrides(env: NodeJS.ProcessEnv): CheckResult | null {
  const names = Object.keys(env)
    .filter((k) => (k === 'AWS_ENDPOINT_URL' || k.startsWith('AWS_ENDPOINT_URL_')) && env[k])
    .sort();
  if (names.length === 0) return null;
  return warn(
    'endpoint-overrides',
    'SDK endpoint overrides',
    `${names.join(', ')} set: calls go to ${names.map((n) => env[n]).join(', ')} instead of AWS`,
    `unset ${names.join(' ')} (local mode sets them) before checking or deploying to AWS`,
  );
}
