import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { actionsOf, deploy, iamStatements, nagFindings } from './deployment-fixture.js';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab';
const ZONE = { route_53_id: 'Z0123456789ABC', route_53_zone_name: 'example.com' };

const DEPLOYMENTS: Array<[string, Record<string, unknown>, string?]> = [
  ['the defaults', { input_cidrs: null }],
  [
    'Cognito with a new pool and a console origin',
    { auth: 'cognito', console_origin: 'https://console.example.com' },
  ],
  [
    'an existing pool, an imported archive and SPEKE',
    {
      auth: 'cognito',
      cognito_user_pool_arn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
      archive_bucket_name: 'my-live-archive',
      speke_url: 'https://keys.example.com/v1',
      speke_role_arn: 'arn:aws:iam::123456789012:role/speke',
    },
  ],
  ['CloudFront without a custom domain', { using_cloudfront: true }],
  [
    'CloudFront with an existing certificate',
    { using_cloudfront: true, cloudfront_live_domain: 'live.example.com', acm_certificate: CERT },
  ],
  [
    'CloudFront with a new certificate in us-east-1',
    { using_cloudfront: true, cloudfront_live_domain: 'live.example.com', ...ZONE },
    'us-east-1',
  ],
  [
    'CloudFront with a new certificate from eu-west-1',
    { using_cloudfront: true, cloudfront_live_domain: 'live.example.com', ...ZONE },
  ],
];

describe('cdk-nag AwsSolutions checks', () => {
  it.each(DEPLOYMENTS)('report nothing unacknowledged for %s', (_name, context, region) => {
    const { app } = deploy(context, region ? { region } : {});
    expect(nagFindings(app)).toEqual([]);
  });

  it('fail the synth on an unacknowledged finding', () => {
    const { app, stateless } = deploy();
    // A wildcard nobody justified, as a careless grant would add.
    stateless.apiFunction.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::somebody-else/*'],
      }),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });
});

describe('IAM policies', () => {
  it.each(DEPLOYMENTS)('grant no wildcard action with %s', (_name, context, region) => {
    const fixture = deploy(context, region ? { region } : {});
    const stacks = [
      fixture.stateful,
      fixture.stateless,
      ...(fixture.certificate ? [fixture.certificate] : []),
    ];
    const wildcards = stacks.flatMap((stack) =>
      iamStatements(Template.fromStack(stack))
        .filter((s) => s.Effect === 'Allow')
        .flatMap(actionsOf)
        .filter((action) => action.includes('*')),
    );
    expect(wildcards).toEqual([]);
  });
});

describe("CDK's built-in CloudFormation validation", () => {
  // The rule engine loads for about half a minute on two cores.
  it('passes the synthesized templates of the richest deployment', { timeout: 180_000 }, () => {
    const { app } = deploy(
      {
        auth: 'cognito',
        console_origin: 'https://console.example.com',
        using_cloudfront: true,
        cloudfront_live_domain: 'live.example.com',
        ...ZONE,
      },
      { cfnValidation: true },
    );
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{
        pluginName: string;
        violations: Array<{ ruleName: string; description: string }>;
      }>;
    };
    const cfnFindings = report.pluginReports
      .filter((p) => p.pluginName !== 'Construct Annotations')
      .flatMap((p) => p.violations.map((v) => `${p.pluginName} ${v.ruleName}: ${v.description}`));
    expect(cfnFindings).toEqual([]);
  });
});
