import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetDistributionConfigCommand, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import {
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ListJobsCommand } from '@aws-sdk/client-mediaconvert';
import {
  ForbiddenException,
  ListChannelsCommand,
  ListInputSecurityGroupsCommand,
  ListInputsCommand,
} from '@aws-sdk/client-medialive';
import { ListChannelsCommand as ListPackageChannels } from '@aws-sdk/client-mediapackage';
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import {
  AccessDeniedException,
  GetServiceQuotaCommand,
  ListAWSDefaultServiceQuotasCommand,
  NoSuchResourceException,
} from '@aws-sdk/client-service-quotas';
import {
  GetParameterCommand,
  ParameterNotFound,
  AccessDeniedException as SsmAccessDenied,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultDomainPrefix } from '../../../infra/aws/console-site.js';
import { noRegionReport, runDoctor } from '../../../infra/aws/doctor/doctor.js';
import { formatJson, formatText } from '../../../infra/aws/doctor/report.js';
import {
  ACCOUNT,
  accessDeniedMessage,
  apiGatewayError,
  cloudFormationError,
  dnsFailure,
  type MockedClients,
  mockedClients,
  PRINCIPAL,
  REGION,
  settingsWith,
} from './doctor-harness.js';

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ApiGatewayLogs`;
const quota = (QuotaCode: string, QuotaName: string, Value: number) => ({
  QuotaCode,
  QuotaName,
  Value,
  Adjustable: true,
});
const missing = (name: string) =>
  cloudFormationError('ValidationError', `Stack with id ${name} does not exist`);

/** An account that is ready: bootstrapped, with the logging role, the services, room in every quota. */
function healthyAccount(m: MockedClients): void {
  m.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: PRINCIPAL });
  for (const [cfn, ssm] of [
    [m.cloudformation, m.ssm],
    [m.usEast1.cloudformation, m.usEast1.ssm],
  ] as const) {
    cfn.on(DescribeStacksCommand).callsFake(({ StackName }) => {
      if (StackName === 'CDKToolkit')
        return { Stacks: [{ StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0) }] };
      throw missing(StackName);
    });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
  }
  m.apigateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: ROLE_ARN });
  m.iam.on(GetRoleCommand).resolves({
    Role: { RoleName: 'ApiGatewayLogs', Arn: ROLE_ARN, Path: '/', RoleId: 'AROA', CreateDate: new Date(0) },
  });
  m.medialive.on(ListChannelsCommand).resolves({ Channels: [{ Id: '1' }, { Id: '2' }] });
  m.medialive.on(ListInputsCommand).resolves({ Inputs: [{ Type: 'RTMP_PUSH' }] });
  m.medialive.on(ListInputSecurityGroupsCommand).resolves({ InputSecurityGroups: [{ Id: '1' }] });
  m.mediapackage.on(ListPackageChannels).resolves({ Channels: [{ Id: 'a' }] });
  m.mediaconvert.on(ListJobsCommand).resolves({ Jobs: [] });
  m.serviceQuotas.on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'medialive' }).resolves({
    Quotas: [
      quota('L-T1', 'Channels', 5),
      quota('L-T2', 'Push inputs', 5),
      quota('L-T3', 'Input security groups', 5),
    ],
  });
  m.serviceQuotas
    .on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'mediapackage' })
    .resolves({ Quotas: [quota('L-T4', 'Channels', 30)] });
  m.serviceQuotas
    .on(GetServiceQuotaCommand)
    .rejects(new NoSuchResourceException({ message: 'none', $metadata: {} }));
  m.usEast1.cloudfront.on(ListDistributionsCommand).resolves({});
  m.usEast1.serviceQuotas.on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'cloudfront' }).resolves({
    Quotas: [
      quota('L-T5', 'Origins per distribution', 25),
      quota('L-T6', 'Cache behaviors per distribution', 25),
    ],
  });
  m.usEast1.serviceQuotas
    .on(GetServiceQuotaCommand)
    .rejects(new NoSuchResourceException({ message: 'none', $metadata: {} }));
}

let m: MockedClients;
beforeEach(() => {
  m = mockedClients();
  healthyAccount(m);
});
const run = (context: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) =>
  runDoctor(m.clients, { region: REGION, profile: null, settings: settingsWith(context), env });

describe('runDoctor', () => {
  it('passes a ready account with every check ok, in a stable order, and exits 0', async () => {
    // A ready account has its own API Gateway logging role, and the deploy keeps it.
    const report = await run({ api_gateway_cloudwatch_role: 'false' });
    expect(report.checks.map((c) => [c.id, c.verdict])).toEqual([
      ['credentials', 'ok'],
      ['options', 'ok'],
      ['input-cidrs', 'ok'],
      ['bootstrap', 'ok'],
      ['app-stacks', 'ok'],
      ['apigateway-cloudwatch-role', 'ok'],
      ['medialive', 'ok'],
      ['mediapackage', 'ok'],
      ['mediaconvert', 'ok'],
      ['quota-medialive-channels', 'ok'],
      ['quota-medialive-push-inputs', 'ok'],
      ['quota-medialive-input-security-groups', 'ok'],
      ['quota-mediapackage-channels', 'ok'],
    ]);
    expect(report).toMatchObject({ account: ACCOUNT, principal: PRINCIPAL, region: REGION, exitCode: 0 });
    expect(report.checks.find((c) => c.id === 'quota-medialive-channels')?.detail).toBe(
      '2 of 5 channels used (L-T1, AWS default): room for 3 more streams',
    );
    // Before the first deploy, the input security group is still to be created.
    expect(report.checks.find((c) => c.id === 'quota-medialive-input-security-groups')?.detail).toContain(
      'the deploy adds 1',
    );
  });

  it('fails a fresh account with the fix for each gap, and exits 1', async () => {
    m.cloudformation.on(DescribeStacksCommand).callsFake(({ StackName }) => {
      throw missing(StackName);
    });
    m.ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'none', $metadata: {} }));
    m.apigateway.on(GetAccountCommand).resolves({});
    const report = await run();
    expect(report.exitCode).toBe(1);
    const failed = report.checks.filter((c) => c.verdict === 'fail');
    expect(failed.map((c) => [c.id, c.fix?.split(' ').slice(0, 3).join(' ')])).toEqual([
      ['bootstrap', `npx cdk bootstrap`],
    ]);
    // No API Gateway logging role yet: the deploy creates it (api_gateway_cloudwatch_role, default true).
    expect(report.checks.find((c) => c.id === 'apigateway-cloudwatch-role')?.verdict).toBe('ok');
    expect(report.checks.find((c) => c.id === 'bootstrap')?.fix).toBe(
      `npx cdk bootstrap aws://${ACCOUNT}/${REGION}`,
    );
    expect(formatText(report)).toContain(`fix: npx cdk bootstrap aws://${ACCOUNT}/${REGION}`);
  });

  it("fails a fresh account's missing API Gateway logging role when told to keep the account's own", async () => {
    m.apigateway.on(GetAccountCommand).resolves({});
    const report = await run({ api_gateway_cloudwatch_role: 'false' });
    const check = report.checks.find((c) => c.id === 'apigateway-cloudwatch-role');
    expect(check?.verdict).toBe('fail');
    expect(check?.fix).toContain('aws apigateway update-account');
  });

  it('stops after the credentials when there are none: no other AWS call', async () => {
    m.sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const report = await run();
    expect(report.checks.map((c) => c.id)).toEqual(['credentials', 'options', 'input-cidrs']);
    expect(report.exitCode).toBe(1);
    expect(report.account).toBeNull();
    expect(m.cloudformation).not.toHaveReceivedAnyCommand();
    expect(m.medialive).not.toHaveReceivedAnyCommand();
  });

  it('turns every denied read into a warn naming the permission: no crash, exit 0', async () => {
    const denied = (action: string) => accessDeniedMessage(action);
    m.cloudformation
      .on(DescribeStacksCommand)
      .rejects(cloudFormationError('AccessDenied', denied('cloudformation:DescribeStacks')));
    m.ssm.on(GetParameterCommand).rejects(
      new SsmAccessDenied({
        message: denied('ssm:GetParameter'),
        Message: denied('ssm:GetParameter'),
        $metadata: {},
      }),
    );
    m.apigateway
      .on(GetAccountCommand)
      .rejects(apiGatewayError('AccessDeniedException', denied('apigateway:GET')));
    m.medialive
      .on(ListChannelsCommand)
      .rejects(new ForbiddenException({ message: denied('medialive:ListChannels'), $metadata: {} }));
    m.serviceQuotas.on(ListAWSDefaultServiceQuotasCommand).rejects(
      new AccessDeniedException({
        message: denied('servicequotas:ListAWSDefaultServiceQuotas'),
        $metadata: {},
      }),
    );
    const report = await run();
    expect(report.exitCode).toBe(0);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId.bootstrap?.detail).toBe(
      'could not check: cloudformation:DescribeStacks and ssm:GetParameter were both denied',
    );
    expect(byId['app-stacks']?.detail).toBe(
      'could not check: cloudformation:DescribeStacks was denied (AccessDenied)',
    );
    expect(byId['apigateway-cloudwatch-role']?.verdict).toBe('warn');
    expect(byId.medialive?.detail).toBe(
      'could not check: medialive:ListChannels was denied (ForbiddenException)',
    );
    expect(byId['quota-mediapackage-channels']?.detail).toContain(
      'servicequotas:ListAWSDefaultServiceQuotas was denied',
    );
    for (const check of report.checks.filter((c) => c.verdict === 'warn')) expect(check.fix).toBeTruthy();
  });

  it("fails MediaLive in a region without it and skips MediaLive's quotas", async () => {
    m.medialive.on(ListChannelsCommand).rejects(dnsFailure(`medialive.${REGION}.amazonaws.com`));
    const report = await run();
    expect(report.checks.find((c) => c.id === 'medialive')?.verdict).toBe('fail');
    expect(report.checks.map((c) => c.id).filter((id) => id.startsWith('quota-medialive'))).toEqual([]);
    expect(report.exitCode).toBe(1);
  });

  it('with CloudFront on a created certificate outside us-east-1, also checks us-east-1 and the CDN quotas', async () => {
    m.usEast1.route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: 'Z1', Name: 'example.com.', CallerReference: 'x', Config: { PrivateZone: false } },
      DelegationSet: { NameServers: [] },
    });
    const report = await run({
      using_cloudfront: 'true',
      cloudfront_live_domain: 'live.example.com',
      route_53_id: 'Z0123456789ABCDEFGHIJ',
      route_53_zone_name: 'example.com',
    });
    const ids = report.checks.map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'bootstrap-us-east-1',
        'cloudfront',
        'quota-cloudfront-origins',
        'quota-cloudfront-cache-behaviors',
        'route53-zone',
      ]),
    );
    expect(ids.indexOf('bootstrap-us-east-1')).toBe(ids.indexOf('bootstrap') + 1);
    expect(m.usEast1.cloudformation).toHaveReceivedCommandWith(DescribeStacksCommand, {
      StackName: 'LiveStreaming-LiveCertificate',
    });
    expect(m.usEast1.ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/cdk-bootstrap/hnb659fds/version',
    });
    expect(report.checks.find((c) => c.id === 'quota-cloudfront-origins')?.detail).toBe(
      '25 origins (L-T5, AWS default): up to 24 streams on the CDN at once',
    );
    expect(report.exitCode).toBe(0);
  });

  it("reads the deployed distribution's use from the stateful stack's output", async () => {
    m.cloudformation.on(DescribeStacksCommand, { StackName: 'LiveStreaming-Stateful' }).resolves({
      Stacks: [
        {
          StackName: 'LiveStreaming-Stateful',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(0),
          Outputs: [{ OutputKey: 'LiveDistributionId', OutputValue: 'E2LIVE' }],
        },
      ],
    });
    m.usEast1.cloudfront.on(GetDistributionConfigCommand, { Id: 'E2LIVE' }).resolves({
      DistributionConfig: {
        CallerReference: 'r',
        Comment: 'c',
        Enabled: true,
        DefaultCacheBehavior: { TargetOriginId: 'd', ViewerProtocolPolicy: 'redirect-to-https' },
        Origins: { Quantity: 3, Items: [] },
        CacheBehaviors: { Quantity: 2, Items: [] },
      },
    });
    const report = await run({ using_cloudfront: true });
    expect(report.checks.find((c) => c.id === 'quota-cloudfront-cache-behaviors')?.detail).toBe(
      '2 of 25 cache behaviours used on E2LIVE (L-T6, AWS default): room for 23 more streams on the CDN',
    );
    // The stack exists: its input security group too.
    expect(report.checks.find((c) => c.id === 'quota-medialive-input-security-groups')?.detail).not.toContain(
      'the deploy adds',
    );
  });

  it('counts the input security group as still to create when the first create rolled back', async () => {
    m.cloudformation.on(DescribeStacksCommand, { StackName: 'LiveStreaming-Stateful' }).resolves({
      Stacks: [
        { StackName: 'LiveStreaming-Stateful', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date(0) },
      ],
    });
    const report = await run();
    expect(report.checks.find((c) => c.id === 'app-stacks')?.verdict).toBe('fail');
    expect(report.checks.find((c) => c.id === 'quota-medialive-input-security-groups')?.detail).toContain(
      'the deploy adds 1',
    );
  });

  it('reports bad options and still checks the account; option-specific checks wait for valid options', async () => {
    const report = await run({ auth: 'saml', archive_bucket_name: 'acme-archive' });
    expect(report.checks.find((c) => c.id === 'options')?.verdict).toBe('fail');
    expect(report.checks.find((c) => c.id === 'bootstrap')?.verdict).toBe('ok');
    expect(report.checks.find((c) => c.id === 'archive-bucket')).toBeUndefined();
    expect(report.exitCode).toBe(1);
  });

  it("with auth=cognito and an existing pool, reads the pool in its region and the console's default prefix", async () => {
    const pool = `arn:aws:cognito-idp:us-west-2:${ACCOUNT}:userpool/us-west-2_AbCdEf123`;
    m.cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: 'us-west-2_AbCdEf123', Name: 'ops' } });
    m.cognito.on(DescribeUserPoolDomainCommand).resolves({ DomainDescription: {} });
    const report = await run({
      auth: 'cognito',
      cognito_user_pool_arn: pool,
      console_assets_dir: process.cwd(),
    });
    expect(m.cognitoRegions).toEqual(['us-west-2']);
    const prefix = defaultDomainPrefix('LiveStreaming', ACCOUNT, REGION, 'LiveStreaming-Stateless');
    expect(m.cognito).toHaveReceivedCommandWith(DescribeUserPoolDomainCommand, { Domain: prefix });
    expect(report.checks.find((c) => c.id === 'cognito-domain')?.detail).toBe(
      `${prefix}.auth.${REGION}.amazoncognito.com is free`,
    );
    expect(report.checks.find((c) => c.id === 'cognito-user-pool')?.verdict).toBe('ok');
  });

  it('warns first when SDK endpoint overrides would send the checks elsewhere', async () => {
    const report = await run({}, { AWS_ENDPOINT_URL_MEDIALIVE: 'http://127.0.0.1:4599' });
    expect(report.checks[0]).toMatchObject({ id: 'endpoint-overrides', verdict: 'warn' });
  });

  it('prints no credential even when an SDK message carries one', async () => {
    m.medialive
      .on(ListChannelsCommand)
      .rejects(
        Object.assign(new Error('bad key AKIAIOSFODNN7EXAMPLE'), { name: 'InternalServerErrorException' }),
      );
    const report = await run();
    expect(formatText(report) + formatJson(report)).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});

describe('noRegionReport', () => {
  it('fails with the ways to give a region', () => {
    expect(noRegionReport('prod')).toMatchObject({
      exitCode: 1,
      checks: [
        {
          id: 'region',
          verdict: 'fail',
          detail: 'no region resolved (profile prod has none)',
          fix: 'pass --region <region>, set AWS_REGION, or set region in ~/.aws/config',
        },
      ],
    });
  });
});

describe('npm run doctor (the CLI)', () => {
  const exec = promisify(execFile);
  // No region anywhere: the CLI stops before any AWS call.
  const offline = {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const cli = (args: string[]) =>
    exec(process.execPath, ['--import', 'tsx', 'infra/aws/doctor/main.ts', ...args], { env: offline }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it('prints the usage with --help and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm run doctor --');
  });

  it('refuses an unknown flag with the usage and exit code 2', async () => {
    const { code, stderr } = await cli(['--regoin', 'eu-west-1']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--regoin'");
    expect(stderr).toContain('Usage: npm run doctor --');
  });

  it('without a region, prints the JSON report of that one failure and exits 1', async () => {
    const { code, stdout } = await cli(['--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      region: null,
      exitCode: 1,
      checks: [{ id: 'region', verdict: 'fail' }],
    });
  });
});
