import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, TABLE_KEYS } from '../../../core/table-schema.js';
import { OPEN_INGEST_WARNING_ID } from '../../../infra/aws/stateful-stack.js';
import { deploy, type Fixture } from './deployment-fixture.js';

const USER_POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';

describe('StatefulStack with the default options', () => {
  let fixture: Fixture;
  let template: Template;
  beforeAll(() => {
    fixture = deploy({ input_cidrs: null });
    template = Template.fromStack(fixture.stateful);
  });

  it('creates the stream table on demand with point-in-time recovery and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('retains the table when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('declares the keys and list index that the store and local mode use', () => {
    const local = createTableInput('streams');
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!.Properties;
    expect(table.KeySchema).toEqual(local.KeySchema);
    expect(table.AttributeDefinitions).toEqual(expect.arrayContaining(local.AttributeDefinitions ?? []));
    expect(table.AttributeDefinitions).toHaveLength(local.AttributeDefinitions?.length ?? 0);
    expect(table.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
  });

  it('expires records through the TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
    });
  });

  it('protects the stack itself from deletion', () => {
    expect(fixture.stateful.terminationProtection).toBe(true);
  });

  it('blocks every form of public access on both buckets', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('encrypts the archive with S3-managed keys, without versioning, logging its access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 's3/archive/' },
      VersioningConfiguration: Match.absent(),
    });
  });

  it('retains the archive when the stack is deleted', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ LoggingConfiguration: Match.anyValue() }),
    });
  });

  it('refuses any request to the archive that is not over TLS', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('expires access logs after the configured number of days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
  });

  it('creates an input security group open to the internet by default', () => {
    template.hasResourceProperties('AWS::MediaLive::InputSecurityGroup', {
      WhitelistRules: [{ Cidr: '0.0.0.0/0' }],
    });
  });

  it('warns at synth time that RTMP ingest is open to the internet', () => {
    Annotations.fromStack(fixture.stateful).hasWarning(
      '/LiveStreaming-Stateful/InputSecurityGroup',
      Match.stringLikeRegexp('RTMP ingest is open to the internet.*input_cidrs'),
    );
  });

  it('creates no user pool with IAM auth', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it('outputs the names the operators need', () => {
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['TableName', 'ArchiveBucketName', 'InputSecurityGroupId']),
    );
  });
});

describe('StatefulStack options', () => {
  it('allows only the given CIDRs and does not warn', () => {
    const { stateful } = deploy({ input_cidrs: ['203.0.113.0/24', '198.51.100.7/32'] });
    Template.fromStack(stateful).hasResourceProperties('AWS::MediaLive::InputSecurityGroup', {
      WhitelistRules: [{ Cidr: '203.0.113.0/24' }, { Cidr: '198.51.100.7/32' }],
    });
    const warnings = Annotations.fromStack(stateful).findWarning(
      '*',
      Match.stringLikeRegexp('RTMP ingest is open'),
    );
    expect(warnings).toEqual([]);
  });

  it('warns about any /0 CIDR, not only 0.0.0.0/0', () => {
    const { stateful } = deploy({ input_cidrs: ['203.0.113.0/24', '10.0.0.0/0'] });
    Annotations.fromStack(stateful).hasWarning(
      '*',
      Match.stringLikeRegexp(`RTMP ingest is open.*${OPEN_INGEST_WARNING_ID}`),
    );
  });

  it('turns deletion protection off with deletion_protection=false', () => {
    const { stateful } = deploy({ deletion_protection: 'false' });
    Template.fromStack(stateful).hasResourceProperties('AWS::DynamoDB::Table', {
      DeletionProtectionEnabled: false,
    });
    expect(stateful.terminationProtection).toBe(false);
  });

  it('imports the archive bucket by name instead of creating it', () => {
    const { stateful } = deploy({ archive_bucket_name: 'my-live-archive' });
    const template = Template.fromStack(stateful);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: Match.absent() });
    template.hasOutput('ArchiveBucketName', { Value: 'my-live-archive' });
  });

  it('creates a user pool with required MFA and an app client without secret for auth=cognito', () => {
    const { stateful } = deploy({ auth: 'cognito' });
    const template = Template.fromStack(stateful);
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        MfaConfiguration: 'ON',
        DeletionProtection: 'ACTIVE',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
    });
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['UserPoolId', 'UserPoolClientId']),
    );
  });

  it('creates no user pool when an existing one is given', () => {
    const { stateful } = deploy({ auth: 'cognito', cognito_user_pool_arn: USER_POOL_ARN });
    Template.fromStack(stateful).resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it('warns about a context option it does not know', () => {
    const { stateful } = deploy({ using_cloudfrnt: true });
    Annotations.fromStack(stateful).hasWarning(
      '*',
      Match.stringLikeRegexp('"using_cloudfrnt" is not an option'),
    );
  });
});
