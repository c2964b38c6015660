/**
 * The real SDK clients of the doctor, for one region (and us-east-1, where CloudFront, Route53 and
 * CloudFront's certificates and quotas live). Short timeouts and one retry: a doctor that hangs on a
 * region without a service helps no one.
 */
import { ACMClient } from '@aws-sdk/client-acm';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient } from '@aws-sdk/client-iam';
import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { MediaPackageClient } from '@aws-sdk/client-mediapackage';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { CERTIFICATE_REGION } from '../deployment.js';

/** Clients of the deploy region. */
export interface RegionalClients {
  cloudformation: CloudFormationClient;
  ssm: SSMClient;
  apigateway: APIGatewayClient;
  medialive: MediaLiveClient;
  mediapackage: MediaPackageClient;
  mediaconvert: MediaConvertClient;
  serviceQuotas: ServiceQuotasClient;
  s3: S3Client;
  cognito: CognitoIdentityProviderClient;
}

/** Clients of us-east-1: CloudFront, Route53 and their quotas, CloudFront's certificates. */
export interface UsEast1Clients {
  cloudformation: CloudFormationClient;
  ssm: SSMClient;
  cloudfront: CloudFrontClient;
  acm: ACMClient;
  route53: Route53Client;
  serviceQuotas: ServiceQuotasClient;
}

export interface DoctorClients {
  sts: STSClient;
  iam: IAMClient;
  regional: RegionalClients;
  usEast1: UsEast1Clients;
  /** A Cognito client for the region of an existing user pool (`cognito_user_pool_arn`). */
  cognitoIn(region: string): CognitoIdentityProviderClient;
}

function baseConfig(region: string, profile: string | null) {
  return {
    region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
    ...(profile ? { profile } : {}),
  };
}

export interface ClosableClients extends DoctorClients {
  destroy(): void;
}

export function createClients(region: string, profile: string | null): ClosableClients {
  const at = (r: string) => baseConfig(r, profile);
  const created: Array<{ destroy(): void }> = [];
  const keep = <T extends { destroy(): void }>(client: T): T => {
    created.push(client);
    return client;
  };
  const cognitoByRegion = new Map<string, CognitoIdentityProviderClient>();
  const regionalCognito = keep(new CognitoIdentityProviderClient(at(region)));
  cognitoByRegion.set(region, regionalCognito);
  return {
    sts: keep(new STSClient(at(region))),
    iam: keep(new IAMClient(at(region))),
    regional: {
      cloudformation: keep(new CloudFormationClient(at(region))),
      ssm: keep(new SSMClient(at(region))),
      apigateway: keep(new APIGatewayClient(at(region))),
      medialive: keep(new MediaLiveClient(at(region))),
      mediapackage: keep(new MediaPackageClient(at(region))),
      mediaconvert: keep(new MediaConvertClient(at(region))),
      serviceQuotas: keep(new ServiceQuotasClient(at(region))),
      // HeadBucket on a bucket of another region answers 301; following it tells its region.
      s3: keep(new S3Client({ ...at(region), followRegionRedirects: true })),
      cognito: regionalCognito,
    },
    usEast1: {
      cloudformation: keep(new CloudFormationClient(at(CERTIFICATE_REGION))),
      ssm: keep(new SSMClient(at(CERTIFICATE_REGION))),
      cloudfront: keep(new CloudFrontClient(at(CERTIFICATE_REGION))),
      acm: keep(new ACMClient(at(CERTIFICATE_REGION))),
      route53: keep(new Route53Client(at(CERTIFICATE_REGION))),
      serviceQuotas: keep(new ServiceQuotasClient(at(CERTIFICATE_REGION))),
    },
    cognitoIn(poolRegion: string) {
      let client = cognitoByRegion.get(poolRegion);
      if (!client) {
        client = keep(new CognitoIdentityProviderClient(at(poolRegion)));
        cognitoByRegion.set(poolRegion, client);
      }
      return client;
    },
    destroy() {
      for (const client of created) client.destroy();
    },
  };
}

/**
 * The region a deploy would use: `--region`, then AWS_REGION, then AWS_DEFAULT_REGION (which the AWS
 * CLI and the CDK CLI honour but the SDK does not), then the profile's `region` in ~/.aws/config.
 */
export async function resolveRegion(
  flag: string | null,
  profile: string | null,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  if (flag) return flag;
  if (env.AWS_REGION) return env.AWS_REGION;
  if (env.AWS_DEFAULT_REGION) return env.AWS_DEFAULT_REGION;
  const sts = new STSClient(profile ? { profile } : {});
  try {
    return (await sts.config.region()) || null;
  } catch {
    return null;
  } finally {
    sts.destroy();
  }
}
