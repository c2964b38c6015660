/**
 * Everything that holds data or identity and must survive a redeploy of the code: the stream table,
 * the archive bucket, the access-log bucket, the MediaLive input security group, the operators'
 * user pool and the live CloudFront distribution (its domain is stored in stream records and
 * GoLive adds stream origins to it at run time, so recreating it would break both).
 */
import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, type ITable, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { CfnInputSecurityGroup } from 'aws-cdk-lib/aws-medialive';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../../core/table-schema.js';
import { type DeploymentConfig, OPEN_TO_INTERNET_CIDR } from './config.js';
import { LiveDistribution } from './live-distribution.js';
import { OperatorUserPool } from './operator-user-pool.js';

/** Id of the synth-time warning about an input security group open to the internet. */
export const OPEN_INGEST_WARNING_ID = 'live-streaming:open-rtmp-ingest';

export interface StatefulStackProps extends StackProps {
  config: DeploymentConfig;
  /** The live domain's certificate when another stack (in us-east-1) creates it. */
  liveCertificate?: ICertificate;
}

export class StatefulStack extends Stack {
  readonly table: Table;
  readonly archiveBucket: IBucket;
  readonly accessLogBucket: Bucket;
  /** MediaLive input security group id (its `Ref`). */
  readonly inputSecurityGroupId: string;
  /** Set when `auth=cognito` and this stack created the pool. */
  readonly operators?: { userPool: IUserPool; client: IUserPoolClient };
  /** Set when `using_cloudfront=true`. */
  readonly live?: LiveDistribution;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.accessLogBucket = new Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are delivered with an ACL, which BucketOwnerEnforced refuses.
      objectOwnership: config.liveCdn ? ObjectOwnership.OBJECT_WRITER : ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(config.accessLogExpirationDays) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket itself; logging it into itself would log its own log deliveries forever.',
    });

    this.table = this.createTable(config);
    this.archiveBucket = this.createOrImportArchive(config);
    this.inputSecurityGroupId = this.createInputSecurityGroup(config);

    if (config.cognito && config.cognito.userPoolArn === null) {
      const pool = new OperatorUserPool(this, 'Operators', { deletionProtection: config.deletionProtection });
      this.operators = { userPool: pool.userPool, client: pool.client };
      new CfnOutput(this, 'UserPoolId', {
        value: pool.userPool.userPoolId,
        description: 'Cognito user pool of the API operators',
      });
      new CfnOutput(this, 'UserPoolClientId', {
        value: pool.client.userPoolClientId,
        description: 'App client id for sign-in (SRP)',
      });
    }

    if (config.liveCdn) {
      this.live = new LiveDistribution(this, 'Live', {
        cdn: config.liveCdn,
        logBucket: this.accessLogBucket,
        ...(props.liveCertificate ? { certificate: props.liveCertificate } : {}),
      });
      new CfnOutput(this, 'LiveDistributionId', { value: this.live.distribution.distributionId });
      new CfnOutput(this, 'LiveDomainName', {
        value: this.live.viewerDomainName,
        description: 'Host viewers play live streams from',
      });
      new CfnOutput(this, 'LiveCachePolicyId', { value: this.live.mediaPackageCachePolicy.cachePolicyId });
    }

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archiveBucket.bucketName });
    new CfnOutput(this, 'InputSecurityGroupId', { value: this.inputSecurityGroupId });
  }

  private createTable(config: DeploymentConfig): Table {
    const { partitionKey, sortKey, listIndex, ttlAttribute } = TABLE_KEYS;
    const table = new Table(this, 'StreamTable', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.deletionProtection,
      timeToLiveAttribute: ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: listIndex.name,
      partitionKey: { name: listIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: listIndex.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    return table;
  }

  private createOrImportArchive(config: DeploymentConfig): IBucket {
    if (config.archiveBucketName)
      return Bucket.fromBucketName(this, 'ArchiveBucket', config.archiveBucketName);
    return new Bucket(this, 'ArchiveBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // SSE-S3: MediaLive's archive output writes to it without KMS key grants.
      encryption: BucketEncryption.S3_MANAGED,
      versioned: false,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 's3/archive/',
      removalPolicy: RemovalPolicy.RETAIN,
      // Clips play in browsers (hls.js) from presigned segment URLs: any page may read an object
      // it holds a valid signature for; without one the bucket answers 403 to every origin.
      cors: [{ allowedMethods: [HttpMethods.GET, HttpMethods.HEAD], allowedOrigins: ['*'], maxAge: 3600 }],
    });
  }

  private createInputSecurityGroup(config: DeploymentConfig): string {
    const group = new CfnInputSecurityGroup(this, 'InputSecurityGroup', {
      whitelistRules: config.inputCidrs.map((cidr) => ({ cidr })),
    });
    // Any /0 allows every address, whatever the base address says.
    if (config.inputCidrs.some((cidr) => cidr.endsWith('/0'))) {
      Annotations.of(group).addWarningV2(
        OPEN_INGEST_WARNING_ID,
        `RTMP ingest is open to the internet: the MediaLive input security group allows ${OPEN_TO_INTERNET_CIDR}, so anyone who learns a stream key can push video. Set the context option input_cidrs to your encoders' addresses.`,
      );
    }
    return group.ref;
  }
}

/** What the stateless stack needs from the stateful one. */
export interface StatefulResources {
  table: ITable;
  archiveBucket: IBucket;
  inputSecurityGroupId: string;
  operators?: { userPool: IUserPool; client: IUserPoolClient };
  live?: LiveDistribution;
}
