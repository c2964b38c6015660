/**
 * Mocked SDK clients for the deploy doctor's tests, and the errors AWS answers with, built from the
 * SDK's own exception classes where the service models them.
 */
import { ACMClient } from '@aws-sdk/client-acm';
import { APIGatewayClient, APIGatewayServiceException } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, CloudFormationServiceException } from '@aws-sdk/client-cloudformation';
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
import { STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import type { DoctorClients } from '../../../infra/aws/doctor/clients.js';
import type { CdkSettings } from '../../../infra/aws/doctor/options.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice`;

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const at = (region: string) => ({ region, credentials });

/** A query-protocol error the SDK does not model (AccessDenied, ValidationError...). */
export function cloudFormationError(name: string, message: string): CloudFormationServiceException {
  return new CloudFormationServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

export function stsError(name: string, message: string): STSServiceException {
  return new STSServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 403 } });
}

export function apiGatewayError(name: string, message: string): APIGatewayServiceException {
  return new APIGatewayServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });
}

/** What the Node HTTP handler throws when a region has no endpoint host for the service. */
export function dnsFailure(host: string): Error {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
    code: 'ENOTFOUND',
    syscall: 'getaddrinfo',
    hostname: host,
    $metadata: { attempts: 2 },
  });
}

export function accessDeniedMessage(action: string): string {
  return `User: ${PRINCIPAL} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
}

// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub type is generic over every command.
type Stub = AwsStub<any, any, any>;

export interface MockedClients {
  clients: DoctorClients;
  sts: Stub;
  iam: Stub;
  cloudformation: Stub;
  ssm: Stub;
  apigateway: Stub;
  medialive: Stub;
  mediapackage: Stub;
  mediaconvert: Stub;
  serviceQuotas: Stub;
  s3: Stub;
  cognito: Stub;
  usEast1: {
    cloudformation: Stub;
    ssm: Stub;
    cloudfront: Stub;
    acm: Stub;
    route53: Stub;
    serviceQuotas: Stub;
  };
  /** The regions `cognitoIn` was asked for. */
  cognitoRegions: string[];
}

export function mockedClients(region = REGION): MockedClients {
  const regional = {
    cloudformation: new CloudFormationClient(at(region)),
    ssm: new SSMClient(at(region)),
    apigateway: new APIGatewayClient(at(region)),
    medialive: new MediaLiveClient(at(region)),
    mediapackage: new MediaPackageClient(at(region)),
    mediaconvert: new MediaConvertClient(at(region)),
    serviceQuotas: new ServiceQuotasClient(at(region)),
    s3: new S3Client(at(region)),
    cognito: new CognitoIdentityProviderClient(at(region)),
  };
  const usEast1 = {
    cloudformation: new CloudFormationClient(at('us-east-1')),
    ssm: new SSMClient(at('us-east-1')),
    cloudfront: new CloudFrontClient(at('us-east-1')),
    acm: new ACMClient(at('us-east-1')),
    route53: new Route53Client(at('us-east-1')),
    serviceQuotas: new ServiceQuotasClient(at('us-east-1')),
  };
  const sts = new STSClient(at(region));
  const iam = new IAMClient(at(region));
  const cognitoRegions: string[] = [];
  const clients: DoctorClients = {
    sts,
    iam,
    regional,
    usEast1,
    cognitoIn(poolRegion) {
      cognitoRegions.push(poolRegion);
      return regional.cognito;
    },
  };
  return {
    clients,
    sts: mockClient(sts),
    iam: mockClient(iam),
    cloudformation: mockClient(regional.cloudformation),
    ssm: mockClient(regional.ssm),
    apigateway: mockClient(regional.apigateway),
    medialive: mockClient(regional.medialive),
    mediapackage: mockClient(regional.mediapackage),
    mediaconvert: mockClient(regional.mediaconvert),
    serviceQuotas: mockClient(regional.serviceQuotas),
    s3: mockClient(regional.s3),
    cognito: mockClient(regional.cognito),
    usEast1: {
      cloudformation: mockClient(usEast1.cloudformation),
      ssm: mockClient(usEast1.ssm),
      cloudfront: mockClient(usEast1.cloudfront),
      acm: mockClient(usEast1.acm),
      route53: mockClient(usEast1.route53),
      serviceQuotas: mockClient(usEast1.serviceQuotas),
    },
    cognitoRegions,
  };
}

/** CDK settings as the doctor reads them, with `context` on top of cdk.json's defaults. */
export function settingsWith(context: Record<string, unknown> = {}): CdkSettings {
  return {
    context: { stack_prefix: 'LiveStreaming', auth: 'iam', input_cidrs: ['203.0.113.0/24'], ...context },
    toolkitStackName: 'CDKToolkit',
    qualifier: 'hnb659fds',
  };
}
