/**
 * The CDK bootstrap of one account and region: the toolkit stack (`CDKToolkit`) and the version
 * parameter every synthesized template checks before CloudFormation creates anything.
 */
import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { cannotCheck, errorMessage, errorName, isAccessDenied } from './aws-errors.js';
import { type CheckResult, fail, ok, warn } from './report.js';

/**
 * The bootstrap version this app's templates require: every template aws-cdk-lib 2.276 synthesizes
 * carries a `CheckBootstrapVersion` rule refusing versions 1 to 5 (DefaultStackSynthesizer's
 * MIN_BOOTSTRAP_STACK_VERSION). test/infra/aws/doctor-bootstrap.test.ts reads it back from the
 * synthesized templates, so an aws-cdk-lib upgrade that raises it fails that test.
 */
export const REQUIRED_BOOTSTRAP_VERSION = 6;

export interface BootstrapTarget {
  account: string;
  region: string;
  toolkitStackName: string;
  qualifier: string;
}

export interface BootstrapClients {
  cloudformation: CloudFormationClient;
  ssm: SSMClient;
}

// A stack in one of these states cannot be updated by `cdk bootstrap`; the fix depends on the state.
const BROKEN_STATES: Record<string, (target: BootstrapTarget) => string> = {
  ROLLBACK_COMPLETE: deleteThenBootstrap,
  ROLLBACK_FAILED: deleteThenBootstrap,
  CREATE_FAILED: deleteThenBootstrap,
  DELETE_FAILED: deleteThenBootstrap,
  UPDATE_ROLLBACK_FAILED: (t) =>
    `aws cloudformation continue-update-rollback --stack-name ${t.toolkitStackName} --region ${t.region}, then ${bootstrapCommand(t)}`,
};

export function bootstrapCommand(target: Pick<BootstrapTarget, 'account' | 'region'>): string {
  return `npx cdk bootstrap aws://${target.account}/${target.region}`;
}

function deleteThenBootstrap(t: BootstrapTarget): string {
  return `aws cloudformation delete-stack --stack-name ${t.toolkitStackName} --region ${t.region}, then ${bootstrapCommand(t)}`;
}

export function versionParameterName(qualifier: string): string {
  return `/cdk-bootstrap/${qualifier}/version`;
}

const DENIED = Symbol('denied');
type Read<T> = { value: T | typeof DENIED } | { error: unknown };

async function readToolkitStack(cfn: CloudFormationClient, name: string): Promise<Read<Stack | null>> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    return { value: out.Stacks?.[0] ?? null };
  } catch (error) {
    if (isMissingStack(error)) return { value: null };
    return isAccessDenied(error) ? { value: DENIED } : { error };
  }
}

/** CloudFormation answers `ValidationError: Stack with id X does not exist` for a missing stack. */
export function isMissingStack(error: unknown): boolean {
  return errorName(error) === 'ValidationError' && /does not exist/i.test(errorMessage(error));
}

async function readVersion(ssm: SSMClient, qualifier: string): Promise<Read<number | null>> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: versionParameterName(qualifier) }));
    return { value: parseVersion(out.Parameter?.Value) };
  } catch (error) {
    if (errorName(error) === 'ParameterNotFound') return { value: null };
    return isAccessDenied(error) ? { value: DENIED } : { error };
  }
}

function parseVersion(value: string | undefined): number | null {
  const version = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isInteger(version) ? version : null;
}

/** `check` names the result: the deploy region, or us-east-1 for the live certificate's stack. */
export async function checkBootstrap(
  clients: BootstrapClients,
  target: BootstrapTarget,
  check: { id: string; title: string },
): Promise<CheckResult> {
  const { id, title } = check;
  const [stackRead, versionRead] = await Promise.all([
    readToolkitStack(clients.cloudformation, target.toolkitStackName),
    readVersion(clients.ssm, target.qualifier),
  ]);
  if ('error' in stackRead) return cannotCheck(id, title, 'cloudformation:DescribeStacks', stackRead.error);
  if ('error' in versionRead) return cannotCheck(id, title, 'ssm:GetParameter', versionRead.error);

  const fix = bootstrapCommand(target);
  const toolkit = target.toolkitStackName;
  const parameter = versionParameterName(target.qualifier);
  const stack = stackRead.value;
  let version = versionRead.value;
  let source = parameter;

  if (stack !== null && stack !== DENIED) {
    const status = stack.StackStatus ?? 'UNKNOWN';
    const broken = BROKEN_STATES[status];
    if (broken)
      return fail(id, title, `${toolkit} is ${status}: cdk bootstrap cannot update it`, broken(target));
    if (status.endsWith('_IN_PROGRESS'))
      return warn(id, title, `${toolkit} is ${status}`, 'wait until it completes, then run the doctor again');
  }

  if (version === DENIED) {
    if (stack === DENIED)
      return warn(
        id,
        title,
        'could not check: cloudformation:DescribeStacks and ssm:GetParameter were both denied',
        `allow cloudformation:DescribeStacks on ${toolkit} and ssm:GetParameter on ${parameter}, then run the doctor again`,
      );
    if (stack === null)
      return fail(id, title, `not bootstrapped: no ${toolkit} stack in ${target.region}`, fix);
    // The toolkit stack's own output carries the same version as the parameter.
    version = parseVersion(stack.Outputs?.find((o) => o.OutputKey === 'BootstrapVersion')?.OutputValue);
    source = `the ${toolkit} output (ssm:GetParameter denied)`;
    if (version === null)
      return warn(
        id,
        title,
        `${toolkit} exists, but its version could not be read (ssm:GetParameter denied)`,
        `allow ssm:GetParameter on ${parameter}, then run the doctor again`,
      );
  }

  if (version === null) {
    const found =
      stack === null
        ? `not bootstrapped: no ${toolkit} stack and no ${parameter} in ${target.region}`
        : stack === DENIED
          ? `not bootstrapped: no ${parameter} in ${target.region}`
          : `${toolkit} exists but ${parameter} is missing (bootstrapped with another qualifier?)`;
    return fail(id, title, found, fix);
  }
  if (version < REQUIRED_BOOTSTRAP_VERSION)
    return fail(
      id,
      title,
      `bootstrap version ${version}; this app's templates need ${REQUIRED_BOOTSTRAP_VERSION} or later`,
      `${fix} (upgrades the bootstrap in place)`,
    );
  if (stack === null)
    return warn(
      id,
      title,
      `${parameter} says version ${version}, but there is no stack named ${toolkit}`,
      `set "toolkitStackName" in cdk.json to the stack that bootstrapped this region, or run ${fix}`,
    );
  const state = stack === DENIED ? `${toolkit} (status not read)` : `${toolkit} ${stack.StackStatus}`;
  return ok(id, title, `${state}, version ${version} from ${source} (${REQUIRED_BOOTSTRAP_VERSION}+ needed)`);
}
