/**
 * Existing resources that deployment options point at, and the app's own stacks when a previous
 * deploy left them: each must be in a state a deploy can use. Read calls only.
 */
import { type ACMClient, type CertificateDetail, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetHostedZoneCommand, type HostedZone, type Route53Client } from '@aws-sdk/client-route-53';
import { GetBucketEncryptionCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { cannotCheck, errorName, httpStatus, isAccessDenied } from './aws-errors.js';
import { isMissingStack } from './bootstrap.js';
import { type CheckResult, fail, ok, warn } from './report.js';

export interface StackState {
  name: string;
  region: string;
  /** `null` when the stack does not exist. */
  status: string | null;
  outputs: Record<string, string>;
}

/** One app stack's state; a missing stack is `status: null`. Throws any other error. */
export async function readStackState(
  cloudformation: CloudFormationClient,
  name: string,
  region: string,
): Promise<StackState> {
  try {
    const out = await cloudformation.send(new DescribeStacksCommand({ StackName: name }));
    const stack = out.Stacks?.[0];
    const outputs: Record<string, string> = {};
    for (const o of stack?.Outputs ?? [])
      if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
    return { name, region, status: stack?.StackStatus ?? null, outputs };
  } catch (error) {
    if (isMissingStack(error)) return { name, region, status: null, outputs: {} };
    throw error;
  }
}

/** States CloudFormation refuses to update, and what gets the stack out of each. */
function stuckFix(stack: StackState): string | null {
  const where = `--stack-name ${stack.name} --region ${stack.region}`;
  switch (stack.status) {
    case 'ROLLBACK_COMPLETE':
    case 'ROLLBACK_FAILED':
    case 'CREATE_FAILED':
      return `aws cloudformation delete-stack ${where} (a failed first create; retained tables and buckets stay), then deploy again`;
    case 'DELETE_FAILED':
      return `aws cloudformation delete-stack ${where} again (look at its events for the resource that failed), then deploy`;
    case 'UPDATE_ROLLBACK_FAILED':
      return `aws cloudformation continue-update-rollback ${where}, then deploy again`;
    default:
      return null;
  }
}

export function checkAppStacks(stacks: readonly StackState[]): CheckResult {
  const id = 'app-stacks';
  const title = 'App stacks';
  const existing = stacks.filter((s) => s.status !== null);
  if (existing.length === 0)
    return ok(
      id,
      title,
      `none deployed yet: the first deploy creates ${stacks.map((s) => s.name).join(', ')}`,
    );
  for (const stack of existing) {
    const fix = stuckFix(stack);
    if (fix) return fail(id, title, `${stack.name} is ${stack.status}: CloudFormation cannot update it`, fix);
  }
  const busy = existing.find((s) => s.status?.endsWith('_IN_PROGRESS'));
  if (busy)
    return warn(
      id,
      title,
      `${busy.name} is ${busy.status}: another deploy or delete is running`,
      'wait until it completes, then run the doctor again',
    );
  return ok(id, title, existing.map((s) => `${s.name} ${s.status}`).join(', '));
}

/**
 * An existing archive bucket (`archive_bucket_name`): it must exist, be this account's, live in the
 * deploy region (MediaLive writes archives to a bucket in its own region), and not require a KMS key
 * MediaLive's role has no grant on.
 */
export async function checkArchiveBucket(
  s3: S3Client,
  bucket: string,
  account: string,
  region: string,
): Promise<CheckResult> {
  const id = 'archive-bucket';
  const title = `Archive bucket ${bucket}`;
  let bucketRegion: string | undefined;
  try {
    const out = await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
    bucketRegion = out.BucketRegion;
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404 || ['NotFound', 'NoSuchBucket'].includes(errorName(error)))
      return fail(
        id,
        title,
        'no such bucket',
        `create it in ${region} (aws s3api create-bucket --bucket ${bucket} --region ${region} ...), or leave archive_bucket_name unset and the stack creates one`,
      );
    if (status === 403 || isAccessDenied(error) || errorName(error) === 'Forbidden')
      return warn(
        id,
        title,
        `HeadBucket was refused: the bucket belongs to another account, or s3:ListBucket on it is not allowed`,
        `use a bucket of account ${account}, or allow s3:ListBucket on it to the principal running the doctor`,
      );
    if (status === 301 || errorName(error) === 'PermanentRedirect')
      return fail(id, title, `the bucket is not in ${region}`, sameRegionFix(bucket, region));
    return cannotCheck(id, title, 's3:ListBucket (HeadBucket)', error);
  }
  if (bucketRegion && bucketRegion !== region)
    return fail(
      id,
      title,
      `the bucket is in ${bucketRegion}, the deploy in ${region}`,
      sameRegionFix(bucket, region),
    );

  try {
    const out = await s3.send(
      new GetBucketEncryptionCommand({ Bucket: bucket, ExpectedBucketOwner: account }),
    );
    const rule = out.ServerSideEncryptionConfiguration?.Rules?.find(
      (r) => r.ApplyServerSideEncryptionByDefault,
    );
    const defaults = rule?.ApplyServerSideEncryptionByDefault;
    const key = defaults?.KMSMasterKeyID;
    // The AWS managed key (aws/s3) lets every principal of the account use it through S3; a
    // customer managed key needs a grant the stack does not give MediaLive's role.
    if (defaults?.SSEAlgorithm?.startsWith('aws:kms') && key && !/alias\/aws\/s3$/.test(key))
      return warn(
        id,
        title,
        `in ${region}, default encryption with the customer managed KMS key ${key}: MediaLive's role has no grant on it`,
        `switch the bucket to SSE-S3 (aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'), or allow the stack's MediaLive role kms:GenerateDataKey on the key`,
      );
  } catch (error) {
    return cannotCheck(id, title, 's3:GetEncryptionConfiguration', error);
  }
  return ok(id, title, `exists in ${region}, owned by this account`);
}

function sameRegionFix(bucket: string, region: string): string {
  return `use a bucket in ${region} as archive_bucket_name, or deploy in the bucket's region (${bucket})`;
}

/** A certificate name covers a host: the same name, or a wildcard for exactly one label more. */
export function certificateCovers(names: readonly string[], host: string): boolean {
  const h = host.toLowerCase();
  return names.some((raw) => {
    const name = raw.toLowerCase();
    if (name === h) return true;
    if (!name.startsWith('*.')) return false;
    const rest = h.slice(h.indexOf('.') + 1);
    return h.includes('.') && rest === name.slice(2);
  });
}

/** `acm_certificate`: issued, in us-east-1 (the option's pattern already insists), covers the live domain. */
export async function checkCertificate(
  acm: ACMClient,
  arn: string,
  domain: string,
  now: Date = new Date(),
): Promise<CheckResult> {
  const id = 'acm-certificate';
  const title = 'ACM certificate (us-east-1)';
  let certificate: CertificateDetail | undefined;
  try {
    certificate = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException')
      return fail(
        id,
        title,
        `no certificate ${arn} in us-east-1`,
        'give acm_certificate the ARN of a certificate in us-east-1, or set route_53_id and route_53_zone_name to create one',
      );
    return cannotCheck(id, title, 'acm:DescribeCertificate', error);
  }
  // ACM lists the certificate's own name among its alternative names too.
  const names = [
    ...new Set(
      [certificate?.DomainName ?? '', ...(certificate?.SubjectAlternativeNames ?? [])].filter(Boolean),
    ),
  ];
  const status = certificate?.Status ?? 'UNKNOWN';
  if (status !== 'ISSUED')
    return fail(
      id,
      title,
      `${arn} is ${status}, not ISSUED: CloudFront refuses it`,
      status === 'PENDING_VALIDATION'
        ? "add the certificate's DNS validation records (aws acm describe-certificate shows them) and wait for ISSUED"
        : 'request a new certificate in us-east-1 for the live domain and give its ARN as acm_certificate',
    );
  if (certificate?.NotAfter && certificate.NotAfter.getTime() <= now.getTime())
    return fail(
      id,
      title,
      `${arn} expired on ${certificate.NotAfter.toISOString()}`,
      'renew or replace the certificate',
    );
  if (!certificateCovers(names, domain))
    return fail(
      id,
      title,
      `${arn} is for ${names.join(', ')}, not ${domain}`,
      `use a certificate whose name or alternative names cover ${domain}`,
    );
  return ok(id, title, `ISSUED for ${names.join(', ')}: covers ${domain}`);
}

/** `route_53_id`: a public hosted zone whose name is `route_53_zone_name`. */
export async function checkHostedZone(
  route53: Route53Client,
  zoneId: string,
  zoneName: string,
): Promise<CheckResult> {
  const id = 'route53-zone';
  const title = `Route53 zone ${zoneId}`;
  let zone: HostedZone | undefined;
  try {
    zone = (await route53.send(new GetHostedZoneCommand({ Id: zoneId }))).HostedZone;
  } catch (error) {
    if (errorName(error) === 'NoSuchHostedZone')
      return fail(
        id,
        title,
        'no such hosted zone in this account',
        'give route_53_id the id of a public zone of this account',
      );
    return cannotCheck(id, title, 'route53:GetHostedZone', error);
  }
  const name = (zone?.Name ?? '').replace(/\.$/, '').toLowerCase();
  if (zone?.Config?.PrivateZone)
    return fail(
      id,
      title,
      `${name} is a private zone: viewers and certificate validation need public DNS`,
      'give route_53_id the public zone of the live domain',
    );
  if (name !== zoneName.replace(/\.$/, '').toLowerCase())
    return fail(
      id,
      title,
      `the zone is ${name}, not ${zoneName}`,
      `set route_53_zone_name=${name}, or route_53_id to the zone of ${zoneName}`,
    );
  return ok(id, title, `public zone ${name}`);
}

/** `cognito_user_pool_arn`: the pool exists, and has no prefix domain (the console adds its own). */
export async function checkUserPool(
  cognito: CognitoIdentityProviderClient,
  arn: string,
): Promise<CheckResult> {
  const id = 'cognito-user-pool';
  const title = 'Cognito user pool';
  const poolId = arn.split('/').pop() ?? arn;
  let pool: UserPoolType | undefined;
  try {
    pool = (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException')
      return fail(
        id,
        title,
        `no user pool ${poolId}`,
        'give cognito_user_pool_arn an existing pool, or leave it unset and the stack creates one',
      );
    return cannotCheck(id, title, 'cognito-idp:DescribeUserPool', error);
  }
  // The console creates a prefix domain on the pool; Cognito allows one per pool.
  if (pool?.Domain)
    return fail(
      id,
      title,
      `${poolId} already has the prefix domain "${pool.Domain}": the console cannot add its own`,
      `aws cognito-idp delete-user-pool-domain --domain ${pool.Domain} --user-pool-id ${poolId} (if nothing uses it), or use another pool`,
    );
  return ok(id, title, `${poolId} (${pool?.Name ?? 'unnamed'}) exists, no prefix domain yet`);
}

/**
 * The Hosted UI domain prefix (`auth=cognito`): unique per region across all accounts, so a prefix
 * another pool holds fails the deploy. `ownPoolId` is the pool this deployment uses, once known.
 */
export async function checkDomainPrefix(
  cognito: CognitoIdentityProviderClient,
  prefix: string,
  region: string,
  ownPoolId: string | null,
): Promise<CheckResult> {
  const id = 'cognito-domain';
  const title = 'Cognito Hosted UI domain';
  const host = `${prefix}.auth.${region}.amazoncognito.com`;
  let holder: string | undefined;
  try {
    const out = await cognito.send(new DescribeUserPoolDomainCommand({ Domain: prefix }));
    // A free prefix answers with an empty description.
    holder = out.DomainDescription?.UserPoolId || undefined;
  } catch (error) {
    return cannotCheck(id, title, 'cognito-idp:DescribeUserPoolDomain', error);
  }
  if (!holder) return ok(id, title, `${host} is free`);
  if (holder === ownPoolId) return ok(id, title, `${host} already belongs to this deployment's pool`);
  return fail(
    id,
    title,
    `${host} is taken by user pool ${holder}`,
    '-c cognito_domain_prefix=<another prefix> (lowercase letters, digits, hyphens)',
  );
}

/** `speke_role_arn`: the role MediaPackage assumes to reach the key provider. */
export async function checkSpekeRole(iam: IAMClient, arn: string, account: string): Promise<CheckResult> {
  const id = 'speke-role';
  const title = 'SPEKE role';
  const roleAccount = arn.split(':')[4];
  if (roleAccount !== account)
    return ok(id, title, `${arn} is in account ${roleAccount}: not checked from here`);
  const roleName = arn.split('/').pop() ?? arn;
  let trust = '';
  try {
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    trust = decodeURIComponent(role?.AssumeRolePolicyDocument ?? '');
  } catch (error) {
    if (['NoSuchEntity', 'NoSuchEntityException'].includes(errorName(error)))
      return fail(
        id,
        title,
        `no role ${roleName}`,
        'create the role MediaPackage assumes for SPEKE, or fix speke_role_arn',
      );
    return cannotCheck(id, title, 'iam:GetRole', error);
  }
  if (!trust.includes('mediapackage.amazonaws.com'))
    return warn(
      id,
      title,
      `${roleName} exists, but its trust policy does not name mediapackage.amazonaws.com`,
      'let the service principal mediapackage.amazonaws.com assume the role (sts:AssumeRole)',
    );
  return ok(id, title, `${roleName} exists and trusts MediaPackage`);
}
