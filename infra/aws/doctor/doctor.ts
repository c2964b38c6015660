/**
 * Runs every check in order and returns the report. The clients are given (createClients builds the real
 * ones); every call they make is a read.
 *
 * Primary course:
 * 1. the options, as the CDK app reads them (cdk.json, cdk.context.json, -c flags);
 * 2. the credentials (no other AWS check runs without them);
 * 3. the CDK bootstrap of the region (and of us-east-1 when the live certificate is created there),
 *    the app's stacks left by an earlier deploy, the API Gateway CloudWatch role, MediaLive,
 *    MediaPackage and CloudFront in the region;
 * 4. the quotas of the services that answered, with their current use;
 * 5. the existing resources the options name (archive bucket, certificate, zone, user pool, role).
 */
import type { DeploymentConfig } from '../config.js';
import { defaultDomainPrefix } from '../console-site.js';
import { CERTIFICATE_REGION } from '../deployment.js';
import { checkApiGatewayCloudWatchRole, deployCreatesCloudWatchRole } from './api-gateway-role.js';
import { cannotCheck } from './aws-errors.js';
import { checkBootstrap } from './bootstrap.js';
import type { DoctorClients } from './clients.js';
import { checkCredentials } from './identity.js';
import { checkEndpointOverrides, checkOptions } from './local-checks.js';
import type { CdkSettings } from './options.js';
import {
  CLOUDFRONT_CACHE_BEHAVIORS,
  CLOUDFRONT_ORIGINS,
  checkCountedQuota,
  checkDistributionQuota,
  countInputSecurityGroups,
  countMediaLiveChannels,
  countMediaPackageChannels,
  countPushInputs,
  MEDIALIVE_CHANNELS,
  MEDIALIVE_INPUT_SECURITY_GROUPS,
  MEDIALIVE_PUSH_INPUTS,
  MEDIAPACKAGE_CHANNELS,
  QuotaReader,
} from './quotas.js';
import { buildReport, type CheckResult, type DoctorReport, fail } from './report.js';
import {
  checkAppStacks,
  checkArchiveBucket,
  checkCertificate,
  checkDomainPrefix,
  checkHostedZone,
  checkSpekeRole,
  checkUserPool,
  readStackState,
  type StackState,
} from './resources.js';
import { checkCloudFront, checkMediaConvert, checkMediaLive, checkMediaPackage } from './services.js';

export interface DoctorInput {
  region: string;
  profile: string | null;
  settings: CdkSettings;
  env: NodeJS.ProcessEnv;
}

export async function runDoctor(clients: DoctorClients, input: DoctorInput): Promise<DoctorReport> {
  const { region, settings } = input;
  const results: CheckResult[] = [];
  const overrides = checkEndpointOverrides(input.env);
  if (overrides) results.push(overrides);

  const credentials = await checkCredentials(clients.sts, input.profile);
  results.push(credentials.result);
  const options = checkOptions(settings.context);
  results.push(...options.results);
  const identity = credentials.identity;
  if (!identity) return buildReport({ account: null, principal: null, region }, results);

  const { account } = identity;
  const config = options.config;
  const cdn = config?.liveCdn ?? null;
  const createsCertificateInUsEast1 =
    cdn !== null && cdn.domainName !== null && cdn.certificateArn === null && region !== CERTIFICATE_REGION;
  const prefix = config?.stackPrefix ?? 'LiveStreaming';
  const target = { account, toolkitStackName: settings.toolkitStackName, qualifier: settings.qualifier };

  const stackReads: Array<Promise<StackState>> = [
    readStackState(clients.regional.cloudformation, `${prefix}-Stateful`, region),
    readStackState(clients.regional.cloudformation, `${prefix}-Stateless`, region),
  ];
  if (createsCertificateInUsEast1)
    stackReads.push(
      readStackState(clients.usEast1.cloudformation, `${prefix}-LiveCertificate`, CERTIFICATE_REGION),
    );

  const [
    bootstrap,
    bootstrapUsEast1,
    stacks,
    cloudWatchRole,
    medialive,
    mediapackage,
    mediaconvert,
    cloudfront,
  ] = await Promise.all([
    checkBootstrap(
      clients.regional,
      { ...target, region },
      { id: 'bootstrap', title: `CDK bootstrap (${region})` },
    ),
    createsCertificateInUsEast1
      ? checkBootstrap(
          clients.usEast1,
          { ...target, region: CERTIFICATE_REGION },
          { id: 'bootstrap-us-east-1', title: `CDK bootstrap (${CERTIFICATE_REGION}, live certificate)` },
        )
      : null,
    Promise.all(stackReads).then(
      (states) => ({ states }),
      (error: unknown) => ({ error }),
    ),
    checkApiGatewayCloudWatchRole(
      { apigateway: clients.regional.apigateway, iam: clients.iam },
      region,
      deployCreatesCloudWatchRole(settings.context),
    ),
    checkMediaLive(clients.regional.medialive, region),
    checkMediaPackage(clients.regional.mediapackage, region),
    checkMediaConvert(clients.regional.mediaconvert, region),
    cdn ? checkCloudFront(clients.usEast1.cloudfront) : null,
  ]);

  const states = 'states' in stacks ? stacks.states : null;
  const stackResult =
    'states' in stacks
      ? checkAppStacks(stacks.states)
      : cannotCheck('app-stacks', 'App stacks', 'cloudformation:DescribeStacks', stacks.error);
  results.push(bootstrap);
  if (bootstrapUsEast1) results.push(bootstrapUsEast1);
  results.push(stackResult, cloudWatchRole, medialive, mediapackage, mediaconvert);
  if (cloudfront) results.push(cloudfront);

  // A stack whose first create rolled back holds nothing (its input security group is gone too).
  const stateful = states?.[0];
  const statefulOutputs = stateful?.status && !NEVER_CREATED.has(stateful.status) ? stateful.outputs : null;
  results.push(
    ...(await checkQuotas(clients, {
      region,
      medialive: medialive.verdict !== 'fail',
      mediapackage: mediapackage.verdict !== 'fail',
      cloudfront: cloudfront !== null && cloudfront.verdict !== 'fail',
      // Until the stateful stack exists, the deploy still has to create the input security group.
      statefulDeployed: statefulOutputs !== null,
      distributionId: statefulOutputs?.LiveDistributionId ?? null,
    })),
  );
  if (config)
    results.push(
      ...(await checkResources(clients, config, {
        account,
        region,
        statefulOutputs,
        domainPrefix: options.console?.domainPrefix ?? null,
      })),
    );
  return buildReport({ account, principal: identity.arn, region }, results);
}

const NEVER_CREATED = new Set([
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'CREATE_FAILED',
  'ROLLBACK_IN_PROGRESS',
]);

interface QuotaPlan {
  region: string;
  medialive: boolean;
  mediapackage: boolean;
  cloudfront: boolean;
  statefulDeployed: boolean;
  distributionId: string | null;
}

async function checkQuotas(clients: DoctorClients, plan: QuotaPlan): Promise<CheckResult[]> {
  const { region } = plan;
  const regional = new QuotaReader(clients.regional.serviceQuotas);
  const global = new QuotaReader(clients.usEast1.serviceQuotas);
  const { medialive, mediapackage } = clients.regional;
  const checks: Array<Promise<CheckResult>> = [];
  if (plan.medialive) {
    checks.push(
      checkCountedQuota(
        { ...MEDIALIVE_CHANNELS, region },
        regional,
        () => countMediaLiveChannels(medialive),
        'medialive:ListChannels',
      ),
      checkCountedQuota(
        { ...MEDIALIVE_PUSH_INPUTS, region },
        regional,
        (quota) => countPushInputs(medialive, quota === null || /rtmp/i.test(quota.name)),
        'medialive:ListInputs',
      ),
      checkCountedQuota(
        { ...MEDIALIVE_INPUT_SECURITY_GROUPS, region },
        regional,
        () => countInputSecurityGroups(medialive),
        'medialive:ListInputSecurityGroups',
        plan.statefulDeployed ? 0 : 1,
      ),
    );
  }
  if (plan.mediapackage)
    checks.push(
      checkCountedQuota(
        { ...MEDIAPACKAGE_CHANNELS, region },
        regional,
        () => countMediaPackageChannels(mediapackage),
        'mediapackage:ListChannels',
      ),
    );
  if (plan.cloudfront) {
    const { cloudfront } = clients.usEast1;
    checks.push(
      checkDistributionQuota(
        { ...CLOUDFRONT_ORIGINS, region: CERTIFICATE_REGION },
        global,
        cloudfront,
        plan.distributionId,
      ),
      checkDistributionQuota(
        { ...CLOUDFRONT_CACHE_BEHAVIORS, region: CERTIFICATE_REGION },
        global,
        cloudfront,
        plan.distributionId,
      ),
    );
  }
  return Promise.all(checks);
}

async function checkResources(
  clients: DoctorClients,
  config: DeploymentConfig,
  where: {
    account: string;
    region: string;
    statefulOutputs: Record<string, string> | null;
    /** Context `cognito_domain_prefix`. */
    domainPrefix: string | null;
  },
): Promise<CheckResult[]> {
  const { account, region, statefulOutputs } = where;
  const checks: Array<Promise<CheckResult>> = [];
  if (config.archiveBucketName)
    checks.push(checkArchiveBucket(clients.regional.s3, config.archiveBucketName, account, region));
  const cdn = config.liveCdn;
  if (cdn?.certificateArn && cdn.domainName)
    checks.push(checkCertificate(clients.usEast1.acm, cdn.certificateArn, cdn.domainName));
  if (cdn?.hostedZone)
    checks.push(checkHostedZone(clients.usEast1.route53, cdn.hostedZone.id, cdn.hostedZone.name));
  if (config.cognito) {
    const poolArn = config.cognito.userPoolArn;
    if (poolArn) checks.push(checkUserPool(clients.cognitoIn(poolArn.split(':')[3] ?? region), poolArn));
    const prefix =
      where.domainPrefix ??
      defaultDomainPrefix(config.stackPrefix, account, region, `${config.stackPrefix}-Stateless`);
    const ownPool = poolArn ? (poolArn.split('/').pop() ?? null) : (statefulOutputs?.UserPoolId ?? null);
    checks.push(checkDomainPrefix(clients.regional.cognito, prefix, region, ownPool));
  }
  if (config.speke) checks.push(checkSpekeRole(clients.iam, config.speke.roleArn, account));
  return Promise.all(checks);
}

/** Without a region nothing can be checked: the one failure says how to give one. */
export function noRegionReport(profile: string | null): DoctorReport {
  return buildReport({ account: null, principal: null, region: null }, [
    fail(
      'region',
      'AWS region',
      `no region resolved${profile ? ` (profile ${profile} has none)` : ''}`,
      'pass --region <region>, set AWS_REGION, or set region in ~/.aws/config',
    ),
  ]);
}
