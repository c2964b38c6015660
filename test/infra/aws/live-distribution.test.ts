import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CORS_REQUEST_HEADERS,
  MEDIAPACKAGE_QUERY_STRINGS,
  SHORT_CACHED_ERRORS,
} from '../../../infra/aws/live-distribution.js';
import { deploy, type Fixture } from './deployment-fixture.js';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab';
const ZONE = { route_53_id: 'Z0123456789ABC', route_53_zone_name: 'example.com' };

type Resource = { Properties: Record<string, unknown> };
const CDN_TYPES = [
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::CachePolicy',
  'AWS::CloudFront::Function',
  'AWS::CertificateManager::Certificate',
  'AWS::Route53::RecordSet',
];
const distributionConfig = (template: Template) =>
  (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as Resource).Properties
    .DistributionConfig as Record<string, unknown>;

describe('without using_cloudfront', () => {
  it('creates no CloudFront, certificate or DNS resource anywhere', () => {
    const fixture = deploy();
    for (const stack of [fixture.stateful, fixture.stateless]) {
      const template = Template.fromStack(stack);
      for (const type of CDN_TYPES) template.resourceCountIs(type, 0);
    }
    expect(fixture.certificate).toBeUndefined();
    expect(fixture.workflows.received[0]?.liveDistribution).toBeUndefined();
  });
});

describe('with using_cloudfront and no custom domain', () => {
  let fixture: Fixture;
  let template: Template;
  beforeAll(() => {
    fixture = deploy({ using_cloudfront: true });
    template = Template.fromStack(fixture.stateful);
  });

  it('creates the live distribution in the stateful stack', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    Template.fromStack(fixture.stateless).resourceCountIs('AWS::CloudFront::Distribution', 0);
  });

  it('caches MediaPackage answers by the start, end and m query strings and the CORS headers', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          QueryStringsConfig: {
            QueryStringBehavior: 'whitelist',
            QueryStrings: [...MEDIAPACKAGE_QUERY_STRINGS],
          },
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: [...CORS_REQUEST_HEADERS] },
          CookiesConfig: { CookieBehavior: 'none' },
        }),
      }),
    });
  });

  it('caches errors for one second instead of CloudFront default ten', () => {
    const responses = distributionConfig(template).CustomErrorResponses as Array<Record<string, unknown>>;
    expect(responses.map((r) => r.ErrorCode)).toEqual([...SHORT_CACHED_ERRORS]);
    for (const response of responses) expect(response.ErrorCachingMinTTL).toBe(1);
  });

  it('answers 404 at the edge for any path that is not a stream', () => {
    const config = distributionConfig(template);
    const behavior = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    const fn = Object.values(template.findResources('AWS::CloudFront::Function'))[0] as Resource;
    const code = fn.Properties.FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)() as (event: unknown) => { statusCode: number };
    expect(handler({ request: { uri: '/anything.m3u8' } }).statusCode).toBe(404);
  });

  it('keeps the placeholder origin private behind origin access control', () => {
    const origins = distributionConfig(template).Origins as Array<Record<string, unknown>>;
    expect(origins).toHaveLength(1);
    expect(origins[0]?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(origins[0]?.OriginAccessControlId).toBeDefined();
    const bucketNames = JSON.stringify(origins[0]?.DomainName);
    const archive = fixture.stateful.getLogicalId(fixture.stateful.archiveBucket.node.defaultChild as never);
    expect(bucketNames).not.toContain(archive);
  });

  it('logs viewer requests to the access-log bucket, which accepts CloudFront log ACLs', () => {
    const logging = distributionConfig(template).Logging as Record<string, unknown>;
    expect(logging.Prefix).toBe('cloudfront/live/');
    expect(JSON.stringify(logging.Bucket)).toContain(
      fixture.stateful.getLogicalId(fixture.stateful.accessLogBucket.node.defaultChild as never),
    );
    template.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
      LifecycleConfiguration: Match.anyValue(),
    });
  });

  it('serves from the *.cloudfront.net name without a certificate or DNS record', () => {
    expect(distributionConfig(template).Aliases).toBeUndefined();
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('hands the workflows the distribution id, viewer domain and cache policy', () => {
    const live = fixture.workflows.received[0]?.liveDistribution;
    const cdn = fixture.stateful.live!;
    expect(live).toEqual({
      distributionId: cdn.distribution.distributionId,
      domainName: cdn.distribution.distributionDomainName,
      cachePolicyId: cdn.mediaPackageCachePolicy.cachePolicyId,
    });
  });

  it('tells the API that CloudFront is on', () => {
    const fns = Object.values(
      Template.fromStack(fixture.stateless).findResources('AWS::Lambda::Function', {
        Properties: { Handler: 'index.handler' },
      }),
    ) as Resource[];
    const env = (fns[0]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.CLOUDFRONT_ENABLED).toBe('true');
  });
});

describe('with a custom live domain', () => {
  it('uses an existing certificate with TLS 1.2 and the domain as alias', () => {
    const fixture = deploy({
      using_cloudfront: true,
      cloudfront_live_domain: 'live.example.com',
      acm_certificate: CERT,
    });
    const template = Template.fromStack(fixture.stateful);
    const config = distributionConfig(template);
    expect(config.Aliases).toEqual(['live.example.com']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: CERT,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(fixture.workflows.received[0]?.liveDistribution?.domainName).toBe('live.example.com');
  });

  it('creates a DNS-validated certificate and A/AAAA alias records in us-east-1', () => {
    const fixture = deploy(
      { using_cloudfront: true, cloudfront_live_domain: 'live.example.com', ...ZONE },
      { region: 'us-east-1' },
    );
    const template = Template.fromStack(fixture.stateful);
    expect(fixture.certificate).toBeUndefined();
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'live.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'live.example.com', HostedZoneId: 'Z0123456789ABC' }],
    });
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'live.example.com.',
        Type: type,
        HostedZoneId: 'Z0123456789ABC',
        AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
      });
    }
  });

  it('creates the certificate in a us-east-1 stack when deployed elsewhere', () => {
    const fixture = deploy(
      { using_cloudfront: true, cloudfront_live_domain: 'live.example.com', ...ZONE },
      { region: 'eu-west-1' },
    );
    expect(fixture.certificate?.region).toBe('us-east-1');
    Template.fromStack(fixture.certificate!).hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'live.example.com',
      ValidationMethod: 'DNS',
    });
    const template = Template.fromStack(fixture.stateful);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    const viewerCertificate = distributionConfig(template).ViewerCertificate as Record<string, unknown>;
    expect(viewerCertificate.AcmCertificateArn).toBeDefined();
    expect(viewerCertificate.MinimumProtocolVersion).toBe('TLSv1.2_2021');
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Name: 'live.example.com.' }, 2);
  });

  it('adds the alias records for an existing certificate when the zone is given', () => {
    const fixture = deploy({
      using_cloudfront: true,
      cloudfront_live_domain: 'live.example.com',
      acm_certificate: CERT,
      ...ZONE,
    });
    const template = Template.fromStack(fixture.stateful);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Name: 'live.example.com.' }, 2);
    expect(fixture.certificate).toBeUndefined();
  });
});
