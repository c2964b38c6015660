/**
 * Builds the deployment the way `cdk synth` does (cdk.json's context and feature flags, then the
 * test's options), without bundling Lambda code, with stand-in state machines.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { readDeploymentConfig } from '../../../infra/aws/config.js';
import { buildDeployment, type Deployment } from '../../../infra/aws/deployment.js';
import type { StreamWorkflowsProps } from '../../../infra/aws/stream-workflows.js';
import type { WorkflowMachines } from '../../../infra/aws/workflow-machines.js';
import { type PassWorkflowsProbe, passWorkflows } from './pass-workflows.js';

export const TEST_ACCOUNT = '123456789012';

const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface Fixture extends Deployment {
  app: App;
  workflows: PassWorkflowsProbe;
}

export interface DeployOptions {
  /** @default 'eu-west-1' */
  region?: string;
  /**
   * CDK's built-in CloudFormation template validation (the rules `cdk synth` runs). It takes
   * seconds per synth, so only the tests about it turn it on.
   * @default false
   */
  cfnValidation?: boolean;
  /** Wraps the stand-in workflows, e.g. to add grants next to them. */
  decorate?: (scope: Construct, props: StreamWorkflowsProps, machines: WorkflowMachines) => void;
}

let builtConsole: string | undefined;
/**
 * A stand-in for dist/console: `auth=cognito` deploys the console, and a test must not depend on
 * `npm run build:console` having run (nor race with the browser tests, which rebuild it).
 */
function builtConsoleStandIn(): string {
  if (!builtConsole) {
    const dir = mkdtempSync(join(tmpdir(), 'console-build-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    builtConsole = dir;
  }
  return builtConsole;
}

/**
 * `input_cidrs` is restricted unless a test sets it: the open-ingest warning would otherwise fill
 * every synth report; `input_cidrs: null` gives the app's default.
 */
export function deploy(context: Record<string, unknown> = {}, options: DeployOptions = {}): Fixture {
  const app = new App({
    builtinCloudFormationValidation: options.cfnValidation ?? false,
    context: {
      ...cdkJson.context,
      input_cidrs: ['203.0.113.0/24'],
      ...(context.auth === 'cognito' ? { console_assets_dir: builtConsoleStandIn() } : {}),
      ...context,
      'aws:cdk:bundling-stacks': [],
    },
  });
  const region = options.region ?? 'eu-west-1';
  const workflows = passWorkflows();
  const config = readDeploymentConfig((name) => app.node.tryGetContext(name));
  const deployment = buildDeployment(app, {
    config,
    env: { account: TEST_ACCOUNT, region },
    workflows: (scope, props) => {
      const machines = workflows.factory(scope, props);
      options.decorate?.(scope, props, machines);
      return machines;
    },
  });
  return { app, workflows, ...deployment };
}

/**
 * cdk-nag's findings on the synthesized app, one line per resource (`severity rule path`). Synth
 * runs the acknowledgment plugins first, as `cdk synth` does.
 */
export function nagFindings(app: App): string[] {
  try {
    app.synth();
  } catch {
    // An unacknowledged error fails the synth; the report below says which.
  }
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`),
  );
}

interface StatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every IAM statement of a template: policies, managed policies and roles' inline policies. */
export function iamStatements(template: Template): StatementJson[] {
  const documents: Array<{ Statement: StatementJson[] }> = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy')))
    documents.push(policy.Properties.PolicyDocument);
  for (const policy of Object.values(template.findResources('AWS::IAM::ManagedPolicy')))
    documents.push(policy.Properties.PolicyDocument);
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) documents.push(inline.PolicyDocument);
  }
  return documents.flatMap((d) => d.Statement);
}

export function actionsOf(statement: StatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}
