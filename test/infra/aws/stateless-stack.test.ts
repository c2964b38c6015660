import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../api/routes.js';
import { TABLE_KEYS } from '../../../core/table-schema.js';
import { SPLIT_WORKFLOW, WORKFLOWS } from '../../../core/workflows.js';
import { FUNCTIONS } from '../../../infra/functions.js';
import { actionsOf, deploy, type Fixture, iamStatements } from './deployment-fixture.js';

const API_SERVICE_NAME = FUNCTIONS.api.service;
const API_TABLE_ACTIONS = FUNCTIONS.api.permissions.flatMap((p) =>
  p.actions.filter((a) => a.startsWith('dynamodb:')),
);

const USER_POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';

type Resource = { Properties: Record<string, unknown> };
const routeMethods = (template: Template): Resource[] =>
  Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
    (m) => (m as Resource).Properties.HttpMethod !== 'OPTIONS',
  ) as Resource[];
/** Routes that answer links the API signed itself: no authorizer, the Lambda checks the signature. */
const SIGNED = new Set(ROUTES.filter((r) => r.auth === 'signature').map((r) => r.operationId));
const isSigned = (method: Resource) => SIGNED.has(String(method.Properties.OperationName));
const apiFunction = (template: Template): Record<string, unknown> => {
  const fns = Object.values(
    template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }),
  );
  expect(fns).toHaveLength(1);
  return (fns[0] as Resource).Properties;
};
const apiEnvironment = (template: Template): Record<string, unknown> =>
  (apiFunction(template).Environment as { Variables: Record<string, unknown> }).Variables;

describe('StatelessStack with IAM auth (the default)', () => {
  let fixture: Fixture;
  let template: Template;
  beforeAll(() => {
    fixture = deploy();
    template = Template.fromStack(fixture.stateless);
  });

  it('lists image/jpeg as the API binary media type, and only it, so the thumbnail route answers bytes', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['image/jpeg'] });
  });

  it('creates one API Gateway method per route of api/routes.ts', () => {
    const methods = fixture.stateless.restApi.methods;
    expect([...methods.keys()].sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) {
      const method = methods.get(`${route.method} ${route.path}`)!;
      expect(method.resource.path).toBe(route.path);
      expect(method.httpMethod).toBe(route.method);
    }
    expect(routeMethods(template)).toHaveLength(ROUTES.length);
  });

  it('names each method after its operation', () => {
    const names = routeMethods(template).map((m) => m.Properties.OperationName);
    expect(names.sort()).toEqual(ROUTES.map((r) => r.operationId).sort());
  });

  it('requires IAM (SigV4) authorization on every method but the signed clip playlist', () => {
    expect([...SIGNED]).toEqual(['getClipPlaylist']);
    for (const method of Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[]) {
      expect(method.Properties.AuthorizationType).toBe(isSigned(method) ? 'NONE' : 'AWS_IAM');
    }
  });

  it('proxies every method to the API Lambda', () => {
    for (const method of routeMethods(template)) {
      expect(method.Properties.Integration).toMatchObject({
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
      });
    }
  });

  it('answers no CORS preflight without console_origin', () => {
    template.resourcePropertiesCountIs('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS' }, 0);
  });

  it('validates no request body in API Gateway (the Lambda does)', () => {
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
  });

  it('logs access to the stage and throttles it', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ],
    });
  });

  it('runs the API Lambda on Node.js 22, arm64', () => {
    expect(apiFunction(template)).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('writes the API Lambda logs to a log group with a retention', () => {
    const fn = apiFunction(template);
    const logGroupRef = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const logGroup = template.toJSON().Resources[logGroupRef];
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('gives the API Lambda every setting api/handler.ts reads', () => {
    const env = apiEnvironment(template);
    const required = [
      'TABLE_NAME',
      ...Object.values(WORKFLOWS).map((w) => w.env),
      SPLIT_WORKFLOW.env,
      'CLOUDFRONT_ENABLED',
      'ENCRYPTION_ENABLED',
    ];
    for (const name of required) expect(env[name], name).toBeDefined();
    expect(env).toMatchObject({
      CLOUDFRONT_ENABLED: 'false',
      ENCRYPTION_ENABLED: 'false',
      DEFAULT_MAX_DURATION_SECONDS: '43200',
      POWERTOOLS_SERVICE_NAME: API_SERVICE_NAME,
    });
  });

  it('reads every environment variable it sets from api/handler.ts', () => {
    const handler = readFileSync(new URL('../../../api/handler.ts', import.meta.url), 'utf8');
    for (const name of [
      'TABLE_NAME',
      'CLOUDFRONT_ENABLED',
      'ENCRYPTION_ENABLED',
      'DEFAULT_MAX_DURATION_SECONDS',
    ]) {
      expect(handler).toContain(name);
    }
  });

  it('points each lifecycle variable at its own state machine', () => {
    const env = apiEnvironment(template);
    const { machines, split } = fixture.stateless.workflows;
    const resolve = (arn: string) => fixture.stateless.resolve(arn);
    for (const [action, workflow] of Object.entries(WORKFLOWS)) {
      expect(env[workflow.env]).toEqual(resolve(machines[action as keyof typeof machines].stateMachineArn));
    }
    expect(env[SPLIT_WORKFLOW.env]).toEqual(resolve(split.stateMachineArn));
  });

  it('lets the API start the lifecycle machines, run the split machine synchronously and read their executions, nothing more', () => {
    const statements = iamStatements(template).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('states:')),
    );
    const start = statements.filter((s) => actionsOf(s).includes('states:StartExecution'));
    const started = start.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    const { machines, split } = fixture.stateless.workflows;
    expect(started).toHaveLength(Object.keys(machines).length);
    for (const machine of Object.values(machines))
      expect(started).toContainEqual(fixture.stateless.resolve(machine.stateMachineArn));
    const sync = statements.filter((s) => actionsOf(s).includes('states:StartSyncExecution'));
    expect(sync.map((s) => s.Resource)).toEqual([fixture.stateless.resolve(split.stateMachineArn)]);
    const allowed = [
      'states:StartExecution',
      'states:StartSyncExecution',
      'states:DescribeExecution',
      'states:GetExecutionHistory',
    ];
    for (const s of statements) expect(actionsOf(s).every((a) => allowed.includes(a))).toBe(true);
    // Reading is limited to the executions of the lifecycle machines (GET /streams/{id}/executions).
    const reads = statements.filter((s) => actionsOf(s).includes('states:DescribeExecution'));
    const readResources = reads.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(readResources).toHaveLength(Object.keys(machines).length);
    for (const s of reads)
      expect(actionsOf(s).sort()).toEqual(['states:DescribeExecution', 'states:GetExecutionHistory']);
    for (const r of readResources) expect(JSON.stringify(r)).toContain(':execution:');
  });

  it('grants the API exactly its DynamoDB actions on the table and its list index', () => {
    const [statement, ...others] = iamStatements(template).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(others).toEqual([]);
    expect(actionsOf(statement!).sort()).toEqual([...API_TABLE_ACTIONS].sort());
    expect(JSON.stringify(statement!.Resource)).toContain(`/index/${TABLE_KEYS.listIndex.name}"`);
    expect(JSON.stringify(statement!.Resource)).not.toMatch(/index\/\*/);
  });

  it('covers every DynamoDB command the store and the idempotency store send', () => {
    const sources = ['../../../core/stream-store.ts', '../../../api/idempotency.ts'].map((p) =>
      readFileSync(new URL(p, import.meta.url), 'utf8'),
    );
    const commands = new Set(
      sources.flatMap((s) => [...s.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!)),
    );
    expect(commands.size).toBeGreaterThan(0);
    const action: Record<string, string> = {
      Get: 'GetItem',
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      Query: 'Query',
      Scan: 'Scan',
      BatchGet: 'BatchGetItem',
      BatchWrite: 'BatchWriteItem',
      TransactGet: 'TransactGetItems',
      TransactWrite: 'TransactWriteItems',
    };
    for (const command of commands) {
      expect(API_TABLE_ACTIONS, `${command}Command`).toContain(`dynamodb:${action[command] ?? command}`);
    }
  });

  it('hands the workflows the table, the archive and the input security group, and no CDN or SPEKE', () => {
    const [props] = fixture.workflows.received;
    expect(props?.table).toBe(fixture.stateful.table);
    expect(props?.archiveBucket).toBe(fixture.stateful.archiveBucket);
    expect(props?.inputSecurityGroupId).toBe(fixture.stateful.inputSecurityGroupId);
    expect(props?.liveDistribution).toBeUndefined();
    expect(props?.speke).toBeUndefined();
  });

  it('outputs the API URL of the v1 stage', () => {
    const outputs = Object.entries(template.findOutputs('*')).filter(([id]) =>
      id.startsWith('StreamApiEndpoint'),
    );
    expect(outputs).toHaveLength(1);
    expect(JSON.stringify(outputs[0]![1].Value)).toContain('.execute-api.');
    expect(JSON.stringify(outputs[0]![1].Value)).toContain('DeploymentStagev1');
  });
});

describe('StatelessStack with Cognito', () => {
  it('puts a Cognito user pool authorizer on every method, with the pool the stateful stack creates', () => {
    const fixture = deploy({ auth: 'cognito' });
    const template = Template.fromStack(fixture.stateless);
    // CORS preflights (OPTIONS) for the web console are open by design: see console-site.test.ts.
    const methods = routeMethods(template);
    expect(methods).toHaveLength(ROUTES.length);
    for (const method of methods.filter((m) => !isSigned(m))) {
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: { Ref: expect.any(String) },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [Match.anyValue()],
    });
  });

  it('uses an existing pool given by ARN', () => {
    const fixture = deploy({ auth: 'cognito', cognito_user_pool_arn: USER_POOL_ARN });
    Template.fromStack(fixture.stateless).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [USER_POOL_ARN],
    });
  });
});

describe('StatelessStack options', () => {
  it("sets the account's API Gateway CloudWatch role by default, kept when the stack goes (stages with logs need it)", () => {
    const template = Template.fromStack(deploy().stateless);
    const accounts = template.findResources('AWS::ApiGateway::Account');
    expect(Object.keys(accounts)).toHaveLength(1);
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        },
      },
    });
    expect(Object.values(roles).map((r) => (r as { DeletionPolicy?: string }).DeletionPolicy)).toEqual([
      'Retain',
    ]);
    // The stage with its access logs is created after the account setting.
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0] as {
      DependsOn?: string[];
    };
    expect(stage.DependsOn).toEqual(expect.arrayContaining(Object.keys(accounts)));
  });

  it("leaves the account's API Gateway CloudWatch role alone with api_gateway_cloudwatch_role=false", () => {
    const template = Template.fromStack(deploy({ api_gateway_cloudwatch_role: 'false' }).stateless);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('answers CORS preflights for the console origin only, without auth', () => {
    const fixture = deploy({ console_origin: 'https://console.example.com' });
    const template = Template.fromStack(fixture.stateless);
    const preflights = Object.values(
      template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }),
    ) as Resource[];
    expect(preflights.length).toBeGreaterThan(0);
    for (const preflight of preflights) {
      expect(preflight.Properties.AuthorizationType).toBe('NONE');
      expect(JSON.stringify(preflight.Properties.Integration)).toContain("'https://console.example.com'");
    }
    for (const method of routeMethods(template))
      expect(method.Properties.AuthorizationType).toBe(isSigned(method) ? 'NONE' : 'AWS_IAM');
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://console.example.com'",
      },
    });
    expect(apiEnvironment(template).CORS_ALLOW_ORIGIN).toBe('https://console.example.com');
  });

  it('turns encryption on and hands SPEKE to the workflows when configured', () => {
    const fixture = deploy({
      speke_url: 'https://keys.example.com/v1',
      speke_role_arn: 'arn:aws:iam::123456789012:role/speke',
    });
    expect(apiEnvironment(Template.fromStack(fixture.stateless)).ENCRYPTION_ENABLED).toBe('true');
    expect(fixture.workflows.received[0]?.speke).toEqual({
      url: 'https://keys.example.com/v1',
      roleArn: 'arn:aws:iam::123456789012:role/speke',
    });
  });

  it('passes default_max_duration_seconds to the API', () => {
    const fixture = deploy({ default_max_duration_seconds: 7200 });
    expect(apiEnvironment(Template.fromStack(fixture.stateless)).DEFAULT_MAX_DURATION_SECONDS).toBe('7200');
  });

  it('applies the throttling and log retention options', () => {
    const fixture = deploy({
      api_throttle_rate_limit: 5,
      api_throttle_burst_limit: 10,
      log_retention_days: 7,
    });
    const template = Template.fromStack(fixture.stateless);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 })],
    });
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const fnLogs = (apiFunction(template).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resources[fnLogs]?.Properties.RetentionInDays).toBe(7);
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0] as Resource;
    const accessLogs = JSON.stringify(
      (stage.Properties.AccessLogSetting as { DestinationArn: unknown }).DestinationArn,
    );
    const accessLogGroup = Object.keys(resources).find((id) => accessLogs.includes(`"${id}"`))!;
    expect(resources[accessLogGroup]?.Properties.RetentionInDays).toBe(7);
  });
});
