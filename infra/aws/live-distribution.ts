/**
 * The "live" CloudFront distribution that GoLive/EndLive add streams to, its cache policy for
 * MediaPackage origins, and the optional custom domain (certificate + Route53 alias records).
 *
 * At deploy time the distribution has no stream: its default behaviour answers 404 from a
 * CloudFront Function at the edge, so no origin is ever contacted for an unknown path. CloudFront
 * still demands a default origin; it is an empty private bucket reachable only through Origin Access
 * Control. Neither choice can leak anything: a placeholder HTTP host would answer 502 and depend on
 * a host we do not own, and the archive bucket as origin would put every recording one path away
 * from the public.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { AaaaRecord, ARecord, HostedZone, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { LiveCdnConfig } from './config.js';

/** Query strings MediaPackage v1 reads: `start`/`end` (startover windows) and `m` (manifest version). */
export const MEDIAPACKAGE_QUERY_STRINGS = ['start', 'end', 'm'] as const;
/** Request headers that change a MediaPackage answer for browsers (CORS preflight and response). */
export const CORS_REQUEST_HEADERS = [
  'Origin',
  'Access-Control-Request-Method',
  'Access-Control-Request-Headers',
] as const;
/**
 * HTTP errors whose caching we shorten. CloudFront caches errors 10 s by default: a segment asked
 * for a moment before MediaPackage has it would stay "not found" for 10 s, longer than a 6 s segment.
 */
export const SHORT_CACHED_ERRORS = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504] as const;

export interface LiveDistributionProps {
  cdn: LiveCdnConfig;
  /** Bucket for CloudFront standard logs (needs ACLs: CloudFront's log delivery writes with an ACL). */
  logBucket: IBucket;
  /** A certificate made elsewhere (another stack in us-east-1); takes precedence over the config. */
  certificate?: ICertificate;
}

export class LiveDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** The cache policy every stream's MediaPackage behaviour uses (GoLive sets its id). */
  readonly mediaPackageCachePolicy: cloudfront.CachePolicy;
  /** Host viewers use: the custom domain, or the distribution's own `*.cloudfront.net` name. */
  readonly viewerDomainName: string;

  constructor(scope: Construct, id: string, props: LiveDistributionProps) {
    super(scope, id);
    const { cdn } = props;

    this.mediaPackageCachePolicy = new cloudfront.CachePolicy(this, 'MediaPackageCachePolicy', {
      comment: 'MediaPackage HLS: start/end/m query strings and CORS headers in the cache key',
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList(...MEDIAPACKAGE_QUERY_STRINGS),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList(...CORS_REQUEST_HEADERS),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      // MediaPackage sends Cache-Control on manifests (about one segment) and segments (long);
      // the default only applies to an answer without it, which should not linger.
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(2),
      maxTtl: Duration.days(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const zone = importLiveZone(this, cdn);
    const certificate = cdn.domainName
      ? (props.certificate ?? this.certificateFor(cdn, cdn.domainName, zone))
      : null;

    const placeholderBucket = new Bucket(this, 'DefaultOriginBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Never holds an object, so deleting it with the stack loses nothing.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(placeholderBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Placeholder default origin that never holds an object; the default behaviour answers 404 at the edge before any request reaches it, so there is no access to log (viewer requests are in the CloudFront logs).',
    });

    const notFound = new cloudfront.Function(this, 'NotFoundFunction', {
      comment: 'Answers 404 for any path that is not a live stream',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        "function handler(event) { return { statusCode: 404, statusDescription: 'Not Found' }; }",
      ),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Live streams (${Stack.of(this).stackName})`,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(placeholderBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        functionAssociations: [
          { function: notFound, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      errorResponses: SHORT_CACHED_ERRORS.map((httpStatus) => ({ httpStatus, ttl: Duration.seconds(1) })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/live/',
      ...(certificate && cdn.domainName
        ? {
            certificate,
            domainNames: [cdn.domainName],
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.viewerDomainName = cdn.domainName ?? this.distribution.distributionDomainName;

    if (zone && cdn.domainName) {
      const target = RecordTarget.fromAlias(new CloudFrontTarget(this.distribution));
      const recordName = cdn.domainName;
      new ARecord(this, 'AliasA', { zone, recordName, target, comment: 'Live streams (CloudFront)' });
      new AaaaRecord(this, 'AliasAAAA', { zone, recordName, target, comment: 'Live streams (CloudFront)' });
    }

    const suppressions = [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Live events are watched worldwide; a geo restriction is a per-event business decision, not a default.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution only serves public HLS from MediaPackage with GET/HEAD; WAF (billed per web ACL and request) can be attached by the operator when an event needs it.',
      },
    ];
    if (!certificate) {
      suppressions.push({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without cloudfront_live_domain the distribution uses the *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1; setting a custom domain applies TLSv1.2_2021.',
      });
    }
    for (const acknowledgment of suppressions) Validations.of(this.distribution).acknowledge(acknowledgment);
  }

  private certificateFor(cdn: LiveCdnConfig, domainName: string, zone: IHostedZone | null): ICertificate {
    if (cdn.certificateArn) return Certificate.fromCertificateArn(this, 'Certificate', cdn.certificateArn);
    if (!zone)
      throw new Error('a custom live domain needs acm_certificate or a hosted zone (config.ts checks this)');
    return new LiveCertificate(this, 'Certificate', { domainName, zone }).certificate;
  }
}

export interface LiveCertificateProps {
  domainName: string;
  zone: IHostedZone;
}

/**
 * A DNS-validated certificate for the live domain. CloudFront only takes certificates from
 * us-east-1: the stack holding this must be in us-east-1.
 */
export class LiveCertificate extends Construct {
  readonly certificate: Certificate;

  constructor(scope: Construct, id: string, props: LiveCertificateProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (region !== 'us-east-1') {
      throw new Error(
        `the live domain certificate must be created in us-east-1 (CloudFront), not in ${region}`,
      );
    }
    this.certificate = new Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: CertificateValidation.fromDns(props.zone),
    });
  }
}

/** Imports the hosted zone of the live domain by id and name (no lookup: synth stays offline). */
export function importLiveZone(scope: Construct, cdn: LiveCdnConfig): IHostedZone | null {
  return cdn.hostedZone
    ? HostedZone.fromHostedZoneAttributes(scope, 'LiveZone', {
        hostedZoneId: cdn.hostedZone.id,
        zoneName: cdn.hostedZone.name,
      })
    : null;
}
