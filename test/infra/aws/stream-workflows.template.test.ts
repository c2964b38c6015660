/**
 * The real StreamWorkflows construct synthesized (bundling skipped): schedules, events and drift
 * resources, and least privilege on every role it creates.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { StreamWorkflows } from '../../../infra/aws/stream-workflows.js';
import { FUNCTION_NAMES, FUNCTIONS } from '../../../infra/functions.js';

let template: Template;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Workflows', { env: { account: '123456789012', region: 'eu-west-1' } });
  new StreamWorkflows(stack, 'Workflows', {
    table: Table.fromTableName(stack, 'Table', 'streams'),
    archiveBucket: Bucket.fromBucketName(stack, 'Archive', 'archive'),
    inputSecurityGroupId: '1234567',
    liveDistribution: { distributionId: 'E123', domainName: 'live.example.com', cachePolicyId: 'policy' },
  });
  template = Template.fromStack(stack);
}, 120_000);

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const statementsOf = (policy: { Properties: { PolicyDocument: { Statement: Statement[] } } }) =>
  policy.Properties.PolicyDocument.Statement;

describe('StreamWorkflows template', () => {
  it('creates the deployment schedule group', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('lets EventBridge Scheduler only start the StartStream and StopStream machines', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
        },
      },
    });
    const [roleId] = Object.keys(roles);
    expect(roleId).toBeDefined();
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    ) as Array<{ Properties: { PolicyDocument: { Statement: Statement[] } } }>;
    const statements = policies.flatMap(statementsOf);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('states:StartExecution');
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const startId = Object.keys(machines).find((id) => id.includes('StartStream'));
    const stopId = Object.keys(machines).find((id) => id.includes('StopStream'));
    expect(statements[0]?.Resource).toEqual([{ Ref: startId }, { Ref: stopId }]);
  });

  it('routes MediaLive channel state changes and alerts to the drift handler', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.medialive'],
        'detail-type': ['MediaLive Channel State Change', 'MediaLive Channel Alert'],
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
  });

  it('creates the status event bus and gives its name and PutEvents to the functions that change a status', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Description?: string; Environment?: { Variables?: Record<string, unknown> } };
    }>;
    const publishers = functions.filter((fn) => fn.Properties.Environment?.Variables?.EVENT_BUS_NAME);
    const expected = FUNCTION_NAMES.filter(
      (name) =>
        name !== 'api' && (FUNCTIONS[name].environment as readonly string[]).includes('EVENT_BUS_NAME'),
    );
    expect(publishers.map((fn) => fn.Properties.Description).sort()).toEqual(
      expected.map((name) => FUNCTIONS[name].description).sort(),
    );
    expect(expected).toEqual(
      expect.arrayContaining(['record-created', 'record-running', 'record-stopped', 'record-failure']),
    );
  });

  it("deploys each function's own bundle, the folder local mode and the tests run", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Code: { S3Key: string }; Description: string; Handler: string };
    }>;
    expect(functions.length).toBe(FUNCTION_NAMES.length - 1);
    const keys = functions.map((fn) => fn.Properties.Code.S3Key);
    expect(new Set(keys).size).toBe(functions.length);
    for (const fn of functions) expect(fn.Properties.Handler).toBe('index.handler');
  });

  it('grants no wildcard action to any role', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: { PolicyDocument: { Statement: Statement[] } };
    }>;
    const actions = policies
      .flatMap(statementsOf)
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
  });

  it('passes the MediaLive, Scheduler and MediaConvert roles only to their own service', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: {
        PolicyDocument: {
          Statement: Array<Statement & { Condition?: Record<string, Record<string, string>> }>;
        };
      };
    }>;
    const passes = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => s.Action === 'iam:PassRole');
    expect(passes.length).toBeGreaterThan(0);
    const services = passes.map(
      // CDK's MediaConvertCreateJob writes its condition with StringLike (no wildcard in the value).
      (pass) =>
        pass.Condition?.StringEquals?.['iam:PassedToService'] ??
        pass.Condition?.StringLike?.['iam:PassedToService'],
    );
    for (const service of services) {
      expect(['medialive.amazonaws.com', 'scheduler.amazonaws.com', 'mediaconvert.amazonaws.com']).toContain(
        service,
      );
    }
    expect(services).toContain('mediaconvert.amazonaws.com');
  });

  it('bounds every state machine and turns on tracing and logging', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Array<{
      Properties: {
        DefinitionString: unknown;
        TracingConfiguration?: { Enabled: boolean };
        LoggingConfiguration?: unknown;
      };
    }>;
    expect(machines).toHaveLength(8);
    for (const machine of machines) {
      expect(JSON.stringify(machine.Properties.DefinitionString)).toContain('TimeoutSeconds');
      expect(machine.Properties.TracingConfiguration?.Enabled).toBe(true);
      expect(machine.Properties.LoggingConfiguration).toBeDefined();
    }
  });
});
