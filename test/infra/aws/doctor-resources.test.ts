import {
  type CertificateStatus,
  DescribeCertificateCommand,
  ResourceNotFoundException as NoCertificate,
} from '@aws-sdk/client-acm';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  ResourceNotFoundException as NoUserPool,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetRoleCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetHostedZoneCommand, NoSuchHostedZone, Route53ServiceException } from '@aws-sdk/client-route-53';
import {
  GetBucketEncryptionCommand,
  HeadBucketCommand,
  NotFound,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  certificateCovers,
  checkAppStacks,
  checkArchiveBucket,
  checkCertificate,
  checkDomainPrefix,
  checkHostedZone,
  checkSpekeRole,
  checkUserPool,
  readStackState,
  type StackState,
} from '../../../infra/aws/doctor/resources.js';
import {
  ACCOUNT,
  accessDeniedMessage,
  cloudFormationError,
  mockedClients,
  REGION,
} from './doctor-harness.js';

let m: ReturnType<typeof mockedClients>;
beforeEach(() => {
  m = mockedClients();
});

describe('readStackState and checkAppStacks', () => {
  const state = (name: string, status: string | null): StackState => ({
    name,
    region: REGION,
    status,
    outputs: {},
  });

  it('reads status and outputs, and a missing stack as not deployed', async () => {
    m.cloudformation.on(DescribeStacksCommand, { StackName: 'LiveStreaming-Stateful' }).resolves({
      Stacks: [
        {
          StackName: 'LiveStreaming-Stateful',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(0),
          Outputs: [{ OutputKey: 'LiveDistributionId', OutputValue: 'E123' }],
        },
      ],
    });
    m.cloudformation
      .on(DescribeStacksCommand, { StackName: 'LiveStreaming-Stateless' })
      .rejects(
        cloudFormationError('ValidationError', 'Stack with id LiveStreaming-Stateless does not exist'),
      );
    const cfn = m.clients.regional.cloudformation;
    expect(await readStackState(cfn, 'LiveStreaming-Stateful', REGION)).toEqual({
      name: 'LiveStreaming-Stateful',
      region: REGION,
      status: 'UPDATE_COMPLETE',
      outputs: { LiveDistributionId: 'E123' },
    });
    expect((await readStackState(cfn, 'LiveStreaming-Stateless', REGION)).status).toBeNull();
  });

  it('is ok before the first deploy, naming the stacks it will create', () => {
    expect(checkAppStacks([state('A-Stateful', null), state('A-Stateless', null)])).toMatchObject({
      verdict: 'ok',
      detail: 'none deployed yet: the first deploy creates A-Stateful, A-Stateless',
    });
  });

  it('is ok with stacks CloudFormation can update', () => {
    expect(
      checkAppStacks([
        state('A-Stateful', 'UPDATE_COMPLETE'),
        state('A-Stateless', 'UPDATE_ROLLBACK_COMPLETE'),
      ]).detail,
    ).toBe('A-Stateful UPDATE_COMPLETE, A-Stateless UPDATE_ROLLBACK_COMPLETE');
  });

  it('fails on a failed first create, with the delete that unblocks the next deploy', () => {
    const result = checkAppStacks([state('A-Stateful', 'ROLLBACK_COMPLETE'), state('A-Stateless', null)]);
    expect(result).toMatchObject({
      verdict: 'fail',
      detail: 'A-Stateful is ROLLBACK_COMPLETE: CloudFormation cannot update it',
      fix: `aws cloudformation delete-stack --stack-name A-Stateful --region ${REGION} (a failed first create; retained tables and buckets stay), then deploy again`,
    });
  });

  it('fails on a rollback that failed, with continue-update-rollback', () => {
    expect(checkAppStacks([state('A-Stateless', 'UPDATE_ROLLBACK_FAILED')]).fix).toBe(
      `aws cloudformation continue-update-rollback --stack-name A-Stateless --region ${REGION}, then deploy again`,
    );
  });

  it('warns while another operation runs', () => {
    expect(checkAppStacks([state('A-Stateful', 'UPDATE_IN_PROGRESS')]).verdict).toBe('warn');
  });
});

describe('checkArchiveBucket', () => {
  const run = () => checkArchiveBucket(m.clients.regional.s3, 'acme-archive', ACCOUNT, REGION);
  const s3Error = (name: string, status: number) =>
    new S3ServiceException({ name, message: name, $fault: 'client', $metadata: { httpStatusCode: status } });

  it("is ok for this account's bucket in the deploy region with SSE-S3", async () => {
    m.s3.on(HeadBucketCommand).resolves({ BucketRegion: REGION });
    m.s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(await run()).toEqual({
      id: 'archive-bucket',
      title: 'Archive bucket acme-archive',
      verdict: 'ok',
      detail: `exists in ${REGION}, owned by this account`,
    });
    expect(m.s3).toHaveReceivedCommandWith(HeadBucketCommand, {
      Bucket: 'acme-archive',
      ExpectedBucketOwner: ACCOUNT,
    });
  });

  it('fails when the bucket is in another region', async () => {
    m.s3.on(HeadBucketCommand).resolves({ BucketRegion: 'us-west-2' });
    expect(await run()).toMatchObject({
      verdict: 'fail',
      detail: `the bucket is in us-west-2, the deploy in ${REGION}`,
      fix: `use a bucket in ${REGION} as archive_bucket_name, or deploy in the bucket's region (acme-archive)`,
    });
  });

  it('fails when there is no such bucket, with both ways out', async () => {
    m.s3
      .on(HeadBucketCommand)
      .rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    const result = await run();
    expect(result).toMatchObject({ verdict: 'fail', detail: 'no such bucket' });
    expect(result.fix).toContain('leave archive_bucket_name unset and the stack creates one');
  });

  it('warns when HeadBucket is refused (another account, or no s3:ListBucket)', async () => {
    m.s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));
    const result = await run();
    expect(result.verdict).toBe('warn');
    expect(result.detail).toContain('s3:ListBucket');
  });

  it("warns when a customer managed KMS key encrypts the bucket: MediaLive's role has no grant", async () => {
    m.s3.on(HeadBucketCommand).resolves({ BucketRegion: REGION });
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    m.s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key } }],
      },
    });
    const result = await run();
    expect(result.verdict).toBe('warn');
    expect(result.detail).toContain(`customer managed KMS key ${key}`);
    expect(result.fix).toContain('"SSEAlgorithm":"AES256"');
  });

  it('is ok with the AWS managed aws/s3 key', async () => {
    m.s3.on(HeadBucketCommand).resolves({ BucketRegion: REGION });
    m.s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [
          { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/aws/s3' } },
        ],
      },
    });
    expect((await run()).verdict).toBe('ok');
  });

  it('warns, naming s3:GetEncryptionConfiguration, when the encryption cannot be read', async () => {
    m.s3.on(HeadBucketCommand).resolves({ BucketRegion: REGION });
    m.s3.on(GetBucketEncryptionCommand).rejects(s3Error('AccessDenied', 403));
    expect((await run()).detail).toBe(
      'could not check: s3:GetEncryptionConfiguration was denied (AccessDenied)',
    );
  });
});

describe('checkCertificate', () => {
  const ARN = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab`;
  const now = new Date('2026-06-01T00:00:00Z');
  const cert = (Status: CertificateStatus, names: string[], NotAfter = new Date('2027-01-01T00:00:00Z')) => ({
    Certificate: {
      CertificateArn: ARN,
      Status,
      DomainName: names[0],
      SubjectAlternativeNames: names,
      NotAfter,
    },
  });
  const run = () => checkCertificate(m.clients.usEast1.acm, ARN, 'live.example.com', now);

  it('is ok when issued for the live domain, also through a wildcard', async () => {
    m.usEast1.acm.on(DescribeCertificateCommand).resolves(cert('ISSUED', ['*.example.com', 'example.com']));
    expect(await run()).toMatchObject({
      verdict: 'ok',
      detail: 'ISSUED for *.example.com, example.com: covers live.example.com',
    });
  });

  it('fails while validation is pending, saying what to do', async () => {
    m.usEast1.acm.on(DescribeCertificateCommand).resolves(cert('PENDING_VALIDATION', ['live.example.com']));
    expect(await run()).toMatchObject({
      verdict: 'fail',
      fix: "add the certificate's DNS validation records (aws acm describe-certificate shows them) and wait for ISSUED",
    });
  });

  it('fails when the certificate is for another name', async () => {
    m.usEast1.acm.on(DescribeCertificateCommand).resolves(cert('ISSUED', ['www.example.org']));
    expect((await run()).detail).toBe(`${ARN} is for www.example.org, not live.example.com`);
  });

  it('fails when expired', async () => {
    m.usEast1.acm
      .on(DescribeCertificateCommand)
      .resolves(cert('ISSUED', ['live.example.com'], new Date('2026-01-01T00:00:00Z')));
    expect((await run()).detail).toBe(`${ARN} expired on 2026-01-01T00:00:00.000Z`);
  });

  it('fails when there is no such certificate in us-east-1', async () => {
    m.usEast1.acm
      .on(DescribeCertificateCommand)
      .rejects(new NoCertificate({ message: 'not found', $metadata: {} }));
    expect((await run()).verdict).toBe('fail');
  });
});

describe('certificateCovers', () => {
  it.each([
    [['live.example.com'], 'live.example.com', true],
    [['LIVE.example.com'], 'live.example.com', true],
    [['*.example.com'], 'live.example.com', true],
    [['*.example.com'], 'a.live.example.com', false],
    [['*.example.com'], 'example.com', false],
    [['example.com'], 'live.example.com', false],
  ])('%j covers %s: %s', (names, host, expected) => {
    expect(certificateCovers(names, host)).toBe(expected);
  });
});

describe('checkHostedZone', () => {
  const run = () => checkHostedZone(m.clients.usEast1.route53, 'Z0123456789ABCDEFGHIJ', 'example.com');
  const zone = (Name: string, PrivateZone = false) => ({
    HostedZone: {
      Id: '/hostedzone/Z0123456789ABCDEFGHIJ',
      Name,
      CallerReference: 'x',
      Config: { PrivateZone },
    },
    DelegationSet: { NameServers: [] },
  });

  it('is ok for the public zone of that name', async () => {
    m.usEast1.route53
      .on(GetHostedZoneCommand, { Id: 'Z0123456789ABCDEFGHIJ' })
      .resolves(zone('example.com.'));
    expect(await run()).toMatchObject({ verdict: 'ok', detail: 'public zone example.com' });
  });

  it('fails on a private zone', async () => {
    m.usEast1.route53.on(GetHostedZoneCommand).resolves(zone('example.com.', true));
    expect((await run()).detail).toContain('private zone');
  });

  it('fails when the name does not match route_53_zone_name, with both fixes', async () => {
    m.usEast1.route53.on(GetHostedZoneCommand).resolves(zone('example.org.'));
    expect(await run()).toMatchObject({
      verdict: 'fail',
      detail: 'the zone is example.org, not example.com',
      fix: 'set route_53_zone_name=example.org, or route_53_id to the zone of example.com',
    });
  });

  it('fails when the zone does not exist', async () => {
    m.usEast1.route53
      .on(GetHostedZoneCommand)
      .rejects(new NoSuchHostedZone({ message: 'No hosted zone', $metadata: {} }));
    expect((await run()).detail).toBe('no such hosted zone in this account');
  });

  it('warns, naming route53:GetHostedZone, when denied', async () => {
    m.usEast1.route53.on(GetHostedZoneCommand).rejects(
      new Route53ServiceException({
        name: 'AccessDenied',
        message: accessDeniedMessage('route53:GetHostedZone'),
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    expect((await run()).detail).toBe('could not check: route53:GetHostedZone was denied (AccessDenied)');
  });
});

describe('checkUserPool and checkDomainPrefix', () => {
  const ARN = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbCdEf123`;

  it('is ok for an existing pool without a prefix domain', async () => {
    m.cognito
      .on(DescribeUserPoolCommand, { UserPoolId: `${REGION}_AbCdEf123` })
      .resolves({ UserPool: { Id: `${REGION}_AbCdEf123`, Name: 'operators' } });
    expect((await checkUserPool(m.clients.regional.cognito, ARN)).detail).toBe(
      `${REGION}_AbCdEf123 (operators) exists, no prefix domain yet`,
    );
  });

  it('fails when the pool already has a prefix domain (the console adds its own)', async () => {
    m.cognito
      .on(DescribeUserPoolCommand)
      .resolves({ UserPool: { Id: `${REGION}_AbCdEf123`, Domain: 'acme-login' } });
    const result = await checkUserPool(m.clients.regional.cognito, ARN);
    expect(result.verdict).toBe('fail');
    expect(result.fix).toContain(
      `aws cognito-idp delete-user-pool-domain --domain acme-login --user-pool-id ${REGION}_AbCdEf123`,
    );
  });

  it('fails when the pool does not exist', async () => {
    m.cognito
      .on(DescribeUserPoolCommand)
      .rejects(new NoUserPool({ message: 'User pool does not exist.', $metadata: {} }));
    expect((await checkUserPool(m.clients.regional.cognito, ARN)).verdict).toBe('fail');
  });

  it('is ok for a free prefix and for the prefix this deployment already holds', async () => {
    m.cognito.on(DescribeUserPoolDomainCommand, { Domain: 'acme-live' }).resolves({ DomainDescription: {} });
    expect((await checkDomainPrefix(m.clients.regional.cognito, 'acme-live', REGION, null)).detail).toBe(
      `acme-live.auth.${REGION}.amazoncognito.com is free`,
    );
    m.cognito
      .on(DescribeUserPoolDomainCommand)
      .resolves({ DomainDescription: { UserPoolId: 'pool-1', Domain: 'acme-live' } });
    expect((await checkDomainPrefix(m.clients.regional.cognito, 'acme-live', REGION, 'pool-1')).verdict).toBe(
      'ok',
    );
  });

  it('fails when another pool holds the prefix', async () => {
    m.cognito
      .on(DescribeUserPoolDomainCommand)
      .resolves({ DomainDescription: { UserPoolId: 'pool-2', Domain: 'acme-live' } });
    expect(await checkDomainPrefix(m.clients.regional.cognito, 'acme-live', REGION, 'pool-1')).toMatchObject({
      verdict: 'fail',
      detail: `acme-live.auth.${REGION}.amazoncognito.com is taken by user pool pool-2`,
      fix: '-c cognito_domain_prefix=<another prefix> (lowercase letters, digits, hyphens)',
    });
  });
});

describe('checkSpekeRole', () => {
  const ARN = `arn:aws:iam::${ACCOUNT}:role/speke-access`;
  const role = (principal: string) => ({
    Role: {
      RoleName: 'speke-access',
      Arn: ARN,
      Path: '/',
      RoleId: 'AROA',
      CreateDate: new Date(0),
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: principal }, Action: 'sts:AssumeRole' }],
        }),
      ),
    },
  });

  it('is ok when the role exists and MediaPackage may assume it', async () => {
    m.iam.on(GetRoleCommand, { RoleName: 'speke-access' }).resolves(role('mediapackage.amazonaws.com'));
    expect((await checkSpekeRole(m.clients.iam, ARN, ACCOUNT)).verdict).toBe('ok');
  });

  it('warns when the trust policy does not name MediaPackage', async () => {
    m.iam.on(GetRoleCommand).resolves(role('lambda.amazonaws.com'));
    expect((await checkSpekeRole(m.clients.iam, ARN, ACCOUNT)).verdict).toBe('warn');
  });

  it('fails when the role does not exist', async () => {
    m.iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'not found', $metadata: {} }));
    expect((await checkSpekeRole(m.clients.iam, ARN, ACCOUNT)).detail).toBe('no role speke-access');
  });

  it("does not look up another account's role", async () => {
    const result = await checkSpekeRole(m.clients.iam, 'arn:aws:iam::444455556666:role/speke', ACCOUNT);
    expect(result.verdict).toBe('ok');
    expect(m.iam).not.toHaveReceivedCommand(GetRoleCommand);
  });
});
