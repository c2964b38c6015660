import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../infra/aws/config.js';
import {
  CONSOLE_CONFIG_KEY,
  defaultDomainPrefix,
  readConsoleSiteOptions,
} from '../../../infra/aws/console-site.js';
import { deploy, type Fixture, nagFindings } from './deployment-fixture.js';

type Resource = { Properties: Record<string, unknown> };

let assetsDir: string;
beforeAll(() => {
  assetsDir = mkdtempSync(join(tmpdir(), 'console-site-'));
  mkdirSync(join(assetsDir, 'assets'));
  writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(assetsDir, 'assets', 'index-abc.js'), 'export {};');
});
afterAll(() => rmSync(assetsDir, { recursive: true, force: true }));

const only = (template: Template, type: string): Resource => {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0] as Resource;
};
const logicalIdOf = (template: Template, type: string, props: Record<string, unknown> = {}): string => {
  const ids = Object.keys(template.findResources(type, props));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe('ConsoleSite (auth=cognito)', () => {
  let fixture: Fixture;
  let template: Template;
  let stack: Stack;
  beforeAll(() => {
    fixture = deploy({ auth: 'cognito', console_assets_dir: assetsDir, using_cloudfront: true });
    stack = fixture.stateless;
    template = Template.fromStack(stack);
  });

  it('keeps the console in a private, encrypted, TLS-only bucket', () => {
    const bucketId = logicalIdOf(template, 'AWS::S3::Bucket');
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    const policy = only(template, 'AWS::S3::BucketPolicy').Properties.PolicyDocument as {
      Statement: Array<Record<string, unknown>>;
    };
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    // Readable by this distribution only (Origin Access Control), not by a public principal.
    const reads = policy.Statement.filter((s) => s.Effect === 'Allow');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    expect(JSON.stringify(reads[0])).toContain(logicalIdOf(template, 'AWS::CloudFront::Distribution'));
    expect(JSON.stringify(policy)).toContain(bucketId);
  });

  it('serves index.html at / through Origin Access Control over HTTPS', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    const config = only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<
      string,
      unknown
    >;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Origins).toEqual([
      expect.objectContaining({
        OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: { Ref: logicalIdOf(template, 'AWS::CloudFront::ResponseHeadersPolicy') },
    });
  });

  it('sends HSTS and a CSP allowing only itself, the API, the Hosted UI and the media origins', () => {
    const policy = only(template, 'AWS::CloudFront::ResponseHeadersPolicy').Properties
      .ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> };
    const headers = policy.SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toEqual({
      AccessControlMaxAgeSec: 730 * 86_400,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    const csp = JSON.stringify(headers.ContentSecurityPolicy?.ContentSecurityPolicy);
    const apiId = logicalIdOf(template, 'AWS::ApiGateway::RestApi');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/"?,?\{"Ref":"[A-Za-z0-9]+"\}/);
    expect(csp).toContain(`{"Ref":"${apiId}"}`);
    expect(csp).toContain('.execute-api.eu-west-1.');
    expect(csp).toContain('https://*.mediapackage.eu-west-1.amazonaws.com');
    expect(csp).toContain('.auth.eu-west-1.amazoncognito.com');
    // The live distribution's domain (a stateful stack output) is a media origin too.
    expect(csp).toMatch(
      /media-src 'self' blob: https:\/\/\*\.mediapackage\.eu-west-1\.amazonaws\.com https:\/\//,
    );
    expect(csp).toMatch(/media-src [^;]*"Fn::GetStackOutput":\{[^}]*LiveDistribution[A-Za-z0-9]*DomainName/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('deploys the built console and a console-config.json naming the API, region, pool and client', () => {
    const deployment = only(template, 'Custom::CDKBucketDeployment').Properties;
    expect(deployment.SourceObjectKeys).toHaveLength(2);
    expect(deployment.Prune).toBe(true);
    expect(deployment.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(deployment.DestinationBucketName).toEqual({ Ref: logicalIdOf(template, 'AWS::S3::Bucket') });

    const config = stack.resolve(fixture.stateless.console?.runtimeConfig) as Record<string, unknown>;
    const clientId = logicalIdOf(template, 'AWS::Cognito::UserPoolClient');
    expect(config).toMatchObject({
      auth: 'cognito',
      mode: 'aws',
      cognito: {
        region: 'eu-west-1',
        clientId: { Ref: clientId },
        userPoolId: {
          'Fn::GetStackOutput': expect.objectContaining({ OutputName: expect.stringContaining('UserPool') }),
        },
        scopes: ['openid', 'email'],
      },
    });
    const apiUrl = JSON.stringify(config.apiBaseUrl);
    expect(apiUrl).toContain(logicalIdOf(template, 'AWS::ApiGateway::RestApi'));
    expect(apiUrl).toContain('.execute-api.eu-west-1.');
    expect(JSON.stringify((config.cognito as Record<string, unknown>).domain)).toContain(
      '.auth.eu-west-1.amazoncognito.com',
    );
    // Tokens in the JSON source travel as deploy-time markers of the deployment.
    const markers = JSON.stringify((deployment.SourceMarkers as unknown[])[1]);
    expect(markers).toContain(`{"Ref":"${clientId}"}`);
    expect(markers).toContain(`{"Ref":"${logicalIdOf(template, 'AWS::ApiGateway::RestApi')}"}`);
    expect(markers).toContain(`{"Ref":"${logicalIdOf(template, 'AWS::Cognito::UserPoolDomain')}"}`);
    expect(markers).toMatch(/OutputName":"[^"]*UserPool/);
    expect(CONSOLE_CONFIG_KEY).toBe('console-config.json');
  });

  it("allows the distribution's origin in the API's CORS (preflight, gateway errors, Lambda)", () => {
    const distribution = logicalIdOf(template, 'AWS::CloudFront::Distribution');
    const origin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] };
    const preflights = Object.values(
      template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }),
    ) as Resource[];
    expect(preflights.length).toBeGreaterThan(0);
    for (const preflight of preflights) {
      expect(JSON.stringify(preflight.Properties.Integration)).toContain(
        `"'https://",{"Fn::GetAtt":["${distribution}","DomainName"]},"'"`,
      );
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': {
          'Fn::Join': ['', ["'https://", { 'Fn::GetAtt': [distribution, 'DomainName'] }, "'"]],
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CORS_ALLOW_ORIGIN: origin }) },
    });
  });

  it('gives the pool a Hosted UI domain and a PKCE code-flow client calling back to the console', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: defaultDomainPrefix('LiveStreaming', '123456789012', 'eu-west-1', 'LiveStreaming-Stateless'),
    });
    const distribution = logicalIdOf(template, 'AWS::CloudFront::Distribution');
    const consoleUrl = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/']],
    };
    const client = only(template, 'AWS::Cognito::UserPoolClient').Properties;
    expect(client).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: [consoleUrl],
      LogoutURLs: [consoleUrl],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(client.GenerateSecret).not.toBe(true);
    // Only the Hosted UI signs users in: no password or SRP flow on this client.
    expect(client.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('grants the file deployment exact S3 actions, no wildcard action', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as Resource).Properties.PolicyDocument as { Statement: Array<{ Action: string | string[] }> },
    );
    const actions = statements.flatMap((d) => d.Statement).flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:DeleteObject', 's3:ListBucket']));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('outputs the console URL', () => {
    const outputs = Object.entries(template.findOutputs('*')).filter(([id]) => id.startsWith('ConsoleUrl'));
    expect(outputs).toHaveLength(1);
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    expect(nagFindings(fixture.app)).toEqual([]);
  });
});

describe('ConsoleSite options', () => {
  it('uses cognito_domain_prefix and adds console_origin to the callback URLs', () => {
    const { stateless } = deploy({
      auth: 'cognito',
      console_assets_dir: assetsDir,
      cognito_domain_prefix: 'acme-live',
      console_origin: 'https://console.example.com',
    });
    const template = Template.fromStack(stateless);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-live' });
    const client = only(template, 'AWS::Cognito::UserPoolClient').Properties;
    expect(client.CallbackURLs).toContainEqual('https://console.example.com/');
    // console_origin wins for CORS: the operator serves the console there.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CORS_ALLOW_ORIGIN: 'https://console.example.com' }) },
    });
  });

  it('works with an existing user pool given by ARN', () => {
    const arn = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';
    const { stateless } = deploy({
      auth: 'cognito',
      cognito_user_pool_arn: arn,
      console_assets_dir: assetsDir,
    });
    const template = Template.fromStack(stateless);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { UserPoolId: 'eu-west-1_AbCdEf123' });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { UserPoolId: 'eu-west-1_AbCdEf123' });
  });

  it('fails the synth with the build command when the console was not built', () => {
    const missing = join(assetsDir, 'not-built');
    expect(() => deploy({ auth: 'cognito', console_assets_dir: missing })).toThrow(ConfigError);
    expect(() => deploy({ auth: 'cognito', console_assets_dir: missing })).toThrow(/npm run build:console/);
  });

  it('deploys no console without auth=cognito', () => {
    const template = Template.fromStack(deploy().stateless);
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });

  it('refuses a bad domain prefix and console options without auth=cognito', () => {
    const problems = (context: Record<string, unknown>, cognito: boolean): string[] => {
      try {
        readConsoleSiteOptions((name) => context[name], cognito);
      } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
      }
      return [];
    };
    expect(problems({ cognito_domain_prefix: 'my-aws-console' }, true)).toEqual([
      expect.stringMatching(/^cognito_domain_prefix: "my-aws-console" is not a Cognito domain prefix/),
    ]);
    expect(problems({ cognito_domain_prefix: 'Upper' }, true)).toHaveLength(1);
    expect(problems({ cognito_domain_prefix: 'ok-prefix' }, false)).toEqual([
      'cognito_domain_prefix is set but auth is not "cognito"',
    ]);
    expect(problems({ console_assets_dir: '/tmp/x' }, false)).toEqual([
      'console_assets_dir is set but auth is not "cognito"',
    ]);
    expect(problems({ cognito_domain_prefix: 'ok-prefix' }, true)).toEqual([]);
  });

  it('derives a valid, stable, deployment-specific domain prefix', () => {
    const a = defaultDomainPrefix('LiveStreaming', '123456789012', 'eu-west-1', 'LiveStreaming-Stateless');
    expect(a).toMatch(/^livestreaming-console-[0-9a-f]{10}$/);
    expect(defaultDomainPrefix('LiveStreaming', '123456789012', 'eu-west-1', 'LiveStreaming-Stateless')).toBe(
      a,
    );
    expect(
      defaultDomainPrefix('LiveStreaming', '123456789012', 'us-east-1', 'LiveStreaming-Stateless'),
    ).not.toBe(a);
    const reserved = defaultDomainPrefix('MyAwsCognitoAmazon', '1', 'r', 's');
    expect(reserved).not.toMatch(/aws|amazon|cognito/);
    expect(reserved).toMatch(/^my-?console-[0-9a-f]{10}$|^my[a-z0-9-]*$/);
  });
});
