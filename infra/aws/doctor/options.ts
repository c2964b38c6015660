/**
 * The doctor's command line and the CDK context it reads, the way the CDK CLI gathers it: a `-c
 * name=value` flag wins over `context` in cdk.json, which wins over cdk.context.json (the CLI's
 * lookup cache). The app's own parser (infra/aws/config.ts) turns that context into the deployment
 * options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ContextReader } from '../config.js';

export interface DoctorArgs {
  region: string | null;
  profile: string | null;
  json: boolean;
  help: boolean;
  /** `-c name=value` flags, in order. */
  context: Record<string, string>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run doctor -- [--region <region>] [--profile <profile>] [-c name=value ...] [--json]

Read-only checks of the AWS account and region a deploy would use. Without --region and --profile
the AWS SDK's defaults apply (AWS_REGION, AWS_DEFAULT_REGION, AWS_PROFILE, ~/.aws/config).
Pass the same -c options as to \`npx cdk deploy\`. Exit code 0 when no check fails, 1 otherwise.`;

export function parseDoctorArgs(argv: readonly string[]): DoctorArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  const context: Record<string, string> = {};
  for (const pair of values.context ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`-c takes name=value, not "${pair}"`);
    context[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  const region = values.region?.trim() || null;
  if (region !== null && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    throw new UsageError(`--region "${region}" is not an AWS region name such as eu-west-1`);
  return {
    region,
    profile: values.profile?.trim() || null,
    json: values.json ?? false,
    help: values.help ?? false,
    context,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      region: { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      context: { type: 'string', short: 'c', multiple: true },
    },
  });
}

export interface CdkSettings {
  /** Every context value, merged. */
  context: Record<string, unknown>;
  /** cdk.json `toolkitStackName`, or CDK's default. */
  toolkitStackName: string;
  /** Context `@aws-cdk/core:bootstrapQualifier`, or CDK's default. */
  qualifier: string;
}

// The CDK's defaults (DefaultStackSynthesizer.DEFAULT_QUALIFIER, the CLI's toolkit stack name).
export const DEFAULT_QUALIFIER = 'hnb659fds';
export const DEFAULT_TOOLKIT_STACK_NAME = 'CDKToolkit';

/** Reads cdk.context.json and cdk.json in `dir` and applies the `-c` flags on top. */
export function readCdkSettings(dir: string, flags: Record<string, string>): CdkSettings {
  const cdkJson = readJsonObject(join(dir, 'cdk.json'));
  const saved = readJsonObject(join(dir, 'cdk.context.json'));
  const context: Record<string, unknown> = {
    ...(saved ?? {}),
    ...objectOr(cdkJson?.context),
    ...flags,
  };
  const qualifier = context['@aws-cdk/core:bootstrapQualifier'];
  const toolkit = cdkJson?.toolkitStackName;
  return {
    context,
    toolkitStackName: typeof toolkit === 'string' && toolkit !== '' ? toolkit : DEFAULT_TOOLKIT_STACK_NAME,
    qualifier: typeof qualifier === 'string' && qualifier !== '' ? qualifier : DEFAULT_QUALIFIER,
  };
}

export function contextReader(context: Record<string, unknown>): ContextReader {
  return (name) => context[name];
}

function readJsonObject(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${error instanceof Error ? error.message : error}`);
  }
  return objectOr(value);
}

function objectOr(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
