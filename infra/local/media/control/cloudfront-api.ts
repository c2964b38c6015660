/**
 * CloudFront (2020-05-31, REST-XML): the one "live" distribution of local mode. Streams are put on
 * the CDN by adding an origin and a cache behaviour with GetDistributionConfig → UpdateDistribution
 * under the ETag, exactly as on AWS; the local CDN listener serves only what the config routes.
 */
import type { CacheBehavior, DistributionConfig, Origin } from '@aws-sdk/client-cloudfront';
import {
  buildXmlShape,
  inconsistentQuantities,
  parseXmlShape,
  shapeProblems,
  XmlShapeError,
} from './cloudfront-xml.js';
import type { ControlState, DistributionRecord } from './control-state.js';
import { newETag } from './resource-ids.js';
import type { ApiRequest, ApiResponse, Route } from './rest-routes.js';
import { cloudFrontErrors } from './service-error.js';

export interface CloudFrontContext {
  state: ControlState;
  save(): void;
  accountId: string;
}

/** CloudFront default quotas per distribution (Service Quotas, "Origins/Cache behaviors per distribution"). */
export const MAX_ORIGINS = 25;
export const MAX_CACHE_BEHAVIORS = 25;

/** The AWS managed cache policy "Managed-CachingDisabled". */
const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
export const DEFAULT_ORIGIN_ID = 'default-origin';

/** The live distribution as the service creates it: one origin (the HLS server), no cache behaviour. */
export function defaultDistributionConfig(hlsBaseUrl: string): DistributionConfig {
  const origin = new URL(hlsBaseUrl);
  const secure = origin.protocol === 'https:';
  const port = origin.port === '' ? (secure ? 443 : 80) : Number(origin.port);
  return {
    CallerReference: 'local-media-live-distribution',
    Aliases: { Quantity: 0 },
    DefaultRootObject: '',
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: DEFAULT_ORIGIN_ID,
          DomainName: origin.hostname,
          OriginPath: '',
          CustomHeaders: { Quantity: 0 },
          CustomOriginConfig: {
            HTTPPort: secure ? 80 : port,
            HTTPSPort: secure ? port : 443,
            OriginProtocolPolicy: secure ? 'https-only' : 'http-only',
            OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
            OriginReadTimeout: 30,
            OriginKeepaliveTimeout: 5,
          },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginShield: { Enabled: false },
          OriginAccessControlId: '',
        },
      ],
    },
    OriginGroups: { Quantity: 0 },
    DefaultCacheBehavior: {
      TargetOriginId: DEFAULT_ORIGIN_ID,
      TrustedSigners: { Enabled: false, Quantity: 0 },
      TrustedKeyGroups: { Enabled: false, Quantity: 0 },
      ViewerProtocolPolicy: 'allow-all',
      AllowedMethods: {
        Quantity: 2,
        Items: ['HEAD', 'GET'],
        CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
      },
      SmoothStreaming: false,
      Compress: false,
      LambdaFunctionAssociations: { Quantity: 0 },
      FunctionAssociations: { Quantity: 0 },
      FieldLevelEncryptionId: '',
      CachePolicyId: CACHING_DISABLED_POLICY_ID,
    },
    CacheBehaviors: { Quantity: 0 },
    CustomErrorResponses: { Quantity: 0 },
    Comment: 'live',
    Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    PriceClass: 'PriceClass_All',
    Enabled: true,
    ViewerCertificate: {
      CloudFrontDefaultCertificate: true,
      MinimumProtocolVersion: 'TLSv1',
      CertificateSource: 'cloudfront',
    },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    Staging: false,
  };
}

/** Creates the live distribution on first start; later starts keep its config and ETag. */
export function ensureLiveDistribution(
  state: ControlState,
  distribution: { id: string; domainName: string },
  hlsBaseUrl: string,
): void {
  const existing = state.cloudfront.distributions[distribution.id];
  if (existing) {
    existing.domainName = distribution.domainName;
    return;
  }
  state.cloudfront.distributions[distribution.id] = {
    id: distribution.id,
    domainName: distribution.domainName,
    etag: newETag(),
    lastModifiedTime: new Date().toISOString(),
    config: defaultDistributionConfig(hlsBaseUrl),
  };
}

export function cloudFrontRoutes(ctx: CloudFrontContext): Route[] {
  const distributions = ctx.state.cloudfront.distributions;
  const arn = (id: string) => `arn:aws:cloudfront::${ctx.accountId}:distribution/${id}`;

  const find = (id: string) => {
    const distribution = distributions[id];
    if (!distribution) throw cloudFrontErrors.noSuchDistribution(id);
    return distribution;
  };

  const distributionOf = (record: DistributionRecord) => ({
    Id: record.id,
    ARN: arn(record.id),
    // Local changes apply at once, so the distribution is always deployed.
    Status: 'Deployed',
    LastModifiedTime: new Date(record.lastModifiedTime),
    InProgressInvalidationBatches: 0,
    DomainName: record.domainName,
    ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
    ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
    DistributionConfig: record.config,
  });

  const summaryOf = (record: DistributionRecord) => {
    const config = record.config;
    return {
      Id: record.id,
      ARN: arn(record.id),
      ETag: record.etag,
      Status: 'Deployed',
      LastModifiedTime: new Date(record.lastModifiedTime),
      DomainName: record.domainName,
      Aliases: config.Aliases ?? { Quantity: 0 },
      Origins: config.Origins,
      OriginGroups: config.OriginGroups ?? { Quantity: 0 },
      DefaultCacheBehavior: config.DefaultCacheBehavior,
      CacheBehaviors: config.CacheBehaviors ?? { Quantity: 0 },
      CustomErrorResponses: config.CustomErrorResponses ?? { Quantity: 0 },
      Comment: config.Comment,
      PriceClass: config.PriceClass ?? 'PriceClass_All',
      Enabled: config.Enabled,
      ViewerCertificate: config.ViewerCertificate ?? { CloudFrontDefaultCertificate: true },
      Restrictions: config.Restrictions ?? { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
      WebACLId: config.WebACLId ?? '',
      HttpVersion: config.HttpVersion ?? 'http2',
      IsIPV6Enabled: config.IsIPV6Enabled ?? true,
      Staging: config.Staging ?? false,
    };
  };

  const xml = (status: number, root: string, shape: string, value: unknown, etag?: string): ApiResponse => ({
    status,
    headers: { 'content-type': 'text/xml', ...(etag ? { etag } : {}) },
    body: buildXmlShape(root, shape, value),
  });

  const updateDistribution = (req: ApiRequest) => {
    const record = find(req.params.Id ?? '');
    const ifMatch = req.headers['if-match'];
    if (typeof ifMatch !== 'string' || ifMatch === '') throw cloudFrontErrors.invalidIfMatchVersion();
    if (ifMatch !== record.etag) throw cloudFrontErrors.preconditionFailed();
    const text = req.body.toString('utf8');
    if (text.trim() === '') throw cloudFrontErrors.missingBody();
    let config: DistributionConfig;
    try {
      config = parseXmlShape(text, 'DistributionConfig', 'DistributionConfig') as DistributionConfig;
    } catch (error) {
      if (error instanceof XmlShapeError) throw cloudFrontErrors.invalidArgument(error.message);
      throw error;
    }
    validateConfig(record.config, config);
    record.config = config;
    record.etag = newETag();
    record.lastModifiedTime = new Date().toISOString();
    ctx.save();
    return xml(200, 'Distribution', 'Distribution', distributionOf(record), record.etag);
  };

  const listDistributions = (req: ApiRequest) => {
    const marker = req.query.get('Marker') ?? '';
    const maxItemsText = req.query.get('MaxItems');
    const maxItems = maxItemsText === null ? 100 : Number(maxItemsText);
    if (!Number.isInteger(maxItems) || maxItems < 1) {
      throw cloudFrontErrors.invalidArgument('MaxItems must be a positive integer.');
    }
    const all = Object.values(distributions).sort((a, b) => a.id.localeCompare(b.id));
    const after = marker === '' ? all : all.filter((record) => record.id.localeCompare(marker) > 0);
    const page = after.slice(0, maxItems);
    const truncated = after.length > page.length;
    const list: Record<string, unknown> = {
      Marker: marker,
      MaxItems: maxItems,
      IsTruncated: truncated,
      Quantity: page.length,
      Items: page.map(summaryOf),
    };
    if (truncated) list.NextMarker = page.at(-1)?.id;
    return xml(200, 'DistributionList', 'DistributionList', list);
  };

  return [
    {
      operation: 'GetDistribution',
      method: 'GET',
      path: '/2020-05-31/distribution/{Id}',
      handler: (req) => {
        const record = find(req.params.Id ?? '');
        return xml(200, 'Distribution', 'Distribution', distributionOf(record), record.etag);
      },
    },
    {
      operation: 'GetDistributionConfig',
      method: 'GET',
      path: '/2020-05-31/distribution/{Id}/config',
      handler: (req) => {
        const record = find(req.params.Id ?? '');
        return xml(200, 'DistributionConfig', 'DistributionConfig', record.config, record.etag);
      },
    },
    {
      operation: 'UpdateDistribution',
      method: 'PUT',
      path: '/2020-05-31/distribution/{Id}/config',
      handler: updateDistribution,
    },
    {
      operation: 'ListDistributions',
      method: 'GET',
      path: '/2020-05-31/distribution',
      handler: listDistributions,
    },
  ];
}

/** The checks CloudFront makes on UpdateDistribution that a workflow can trip over. */
function validateConfig(current: DistributionConfig, next: DistributionConfig): void {
  const inconsistent = inconsistentQuantities(next, 'DistributionConfig');
  if (inconsistent.length > 0) throw cloudFrontErrors.inconsistentQuantities(inconsistent.join(', '));
  const problems = shapeProblems('DistributionConfig', next, 'DistributionConfig');
  if (problems.length > 0) throw cloudFrontErrors.invalidArgument(problems.join('; '));
  if (next.CallerReference !== current.CallerReference) {
    throw cloudFrontErrors.illegalUpdate('The CallerReference of a distribution cannot be changed.');
  }

  const origins: Origin[] = next.Origins?.Items ?? [];
  if (origins.length === 0)
    throw cloudFrontErrors.invalidArgument('A distribution needs at least one origin.');
  if (origins.length > MAX_ORIGINS) throw cloudFrontErrors.tooManyOrigins(MAX_ORIGINS);
  const behaviors: CacheBehavior[] = next.CacheBehaviors?.Items ?? [];
  if (behaviors.length > MAX_CACHE_BEHAVIORS)
    throw cloudFrontErrors.tooManyCacheBehaviors(MAX_CACHE_BEHAVIORS);

  const originIds = new Set<string>();
  for (const origin of origins) {
    const id = origin.Id ?? '';
    if (originIds.has(id))
      throw cloudFrontErrors.invalidArgument(`The parameter origin Id must be unique: ${id}`);
    originIds.add(id);
  }
  for (const id of next.OriginGroups?.Items?.map((group) => group.Id ?? '') ?? []) {
    if (originIds.has(id))
      throw cloudFrontErrors.invalidArgument(`The parameter origin Id must be unique: ${id}`);
    originIds.add(id);
  }
  const targets = [
    next.DefaultCacheBehavior?.TargetOriginId ?? '',
    ...behaviors.map((b) => b.TargetOriginId ?? ''),
  ];
  for (const target of targets) {
    if (!originIds.has(target)) throw cloudFrontErrors.noSuchOrigin(target);
  }
  const patterns = new Set<string>();
  for (const behavior of behaviors) {
    const pattern = behavior.PathPattern ?? '';
    if (patterns.has(pattern)) {
      throw cloudFrontErrors.invalidArgument(`Each cache behavior needs a unique PathPattern: ${pattern}`);
    }
    patterns.add(pattern);
  }
}
