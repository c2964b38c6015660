import { App, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  acknowledgeWildcardResources,
  TRACING_AND_LOG_DELIVERY,
  WildcardAcknowledgments,
} from '../../../infra/aws/wildcard-acknowledgments.js';

const CHANNELS = 'arn:aws:medialive:eu-west-1:123456789012:channel:*';
const channelRule = {
  resource: /^arn:aws:medialive:[a-z0-9-]+:\d{12}:channel:\*$/,
  actions: /^medialive:/,
  reason: 'ids are made by CreateChannel',
};

function roleWith(...statements: PolicyStatement[]): { app: App; role: Role } {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  for (const statement of statements) role.addToPolicy(statement);
  return { app, role };
}

function iam5Findings(app: App): string[] {
  new WildcardAcknowledgments().acknowledgeIn(app);
  return new AwsSolutionsChecks(app)
    .validateScope(app)
    .violations.map((v) => v.ruleName)
    .filter((name) => name.startsWith('AwsSolutions-IAM5'))
    .sort();
}

describe('WildcardAcknowledgments', () => {
  it('acknowledges a wildcard resource matching a rule registered on an ancestor', () => {
    const { app, role } = roleWith(
      new PolicyStatement({ actions: ['medialive:DescribeChannel'], resources: [CHANNELS] }),
    );
    acknowledgeWildcardResources(role.stack, [channelRule]);
    expect(iam5Findings(app)).toEqual([]);
  });

  it('records the rule reason with the acknowledgment', () => {
    const { app, role } = roleWith(
      new PolicyStatement({ actions: ['medialive:DescribeChannel'], resources: [CHANNELS] }),
    );
    acknowledgeWildcardResources(role, [channelRule]);
    new WildcardAcknowledgments().acknowledgeIn(app);
    const policy = role.node.findChild('DefaultPolicy').node.defaultChild!;
    const acknowledged = policy.node.metadata.find((m) => m.type === 'aws:cdk:acknowledged-rules')
      ?.data as Record<string, string>;
    expect(Object.entries(acknowledged)).toEqual([
      [expect.stringContaining(`AwsSolutions-IAM5[Resource::${CHANNELS}]`), 'ids are made by CreateChannel'],
    ]);
  });

  it('leaves a wildcard resource that no rule matches', () => {
    const { app, role } = roleWith(
      new PolicyStatement({
        actions: ['medialive:DescribeInput'],
        resources: ['arn:aws:medialive:eu-west-1:123456789012:input:*'],
      }),
    );
    acknowledgeWildcardResources(role, [channelRule]);
    expect(iam5Findings(app)).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:medialive:eu-west-1:123456789012:input:*]',
    ]);
  });

  it('never acknowledges a wildcard action, even on an acknowledged resource', () => {
    const { app, role } = roleWith(
      new PolicyStatement({ actions: ['medialive:Describe*'], resources: [CHANNELS] }),
    );
    acknowledgeWildcardResources(role, [{ ...channelRule, actions: undefined }]);
    expect(iam5Findings(app)).toEqual(['AwsSolutions-IAM5[Action::medialive:Describe*]']);
  });

  it('leaves the resource when the statement granting it has an action outside the rule', () => {
    const { app, role } = roleWith(
      new PolicyStatement({ actions: ['xray:PutTraceSegments', 'medialive:ListChannels'], resources: ['*'] }),
    );
    acknowledgeWildcardResources(role, [TRACING_AND_LOG_DELIVERY]);
    expect(iam5Findings(app)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  it('acknowledges "*" for X-Ray and log delivery actions only', () => {
    const { app, role } = roleWith(
      new PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    );
    acknowledgeWildcardResources(role, [TRACING_AND_LOG_DELIVERY]);
    expect(iam5Findings(app)).toEqual([]);
  });

  it('does nothing for constructs outside the registered scope', () => {
    const { app, role } = roleWith(
      new PolicyStatement({ actions: ['medialive:DescribeChannel'], resources: [CHANNELS] }),
    );
    acknowledgeWildcardResources(
      new Role(role.stack, 'Other', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
      [channelRule],
    );
    expect(iam5Findings(app)).toEqual([`AwsSolutions-IAM5[Resource::${CHANNELS}]`]);
  });

  it('refuses global patterns, whose matching depends on the previous call', () => {
    const { role } = roleWith();
    expect(() => acknowledgeWildcardResources(role, [{ resource: /channel/g, reason: 'x' }])).toThrow(
      /g or y flag/,
    );
  });
});
