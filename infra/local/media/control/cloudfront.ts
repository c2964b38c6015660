/**
 * CloudFront (2020-05-31, REST-XML): the one "live" distribution of local mode, read with
 * GetDistributionConfig and changed with UpdateDistribution under its ETag, as the tasks do on AWS.
 * The config is kept as the XML tree fast-xml-parser reads (text values, the element names and
 * order the SDK wrote), and answered as it was stored; the local CDN serves only what it routes.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { localArn } from '../../aws-server/arn.js';
import { AwsError, found, type Reply } from '../../aws-server/aws-error.js';
import { on, type Route } from '../../aws-server/protocols.js';
import type { ControlState, DistributionRecord, JsonObject } from './state.js';
import { newETag } from './wire.js';

const XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
/** CloudFront default quotas per distribution (Service Quotas, "Origins/Cache behaviors per distribution"). */
const MAX_ORIGINS = 25;
const MAX_CACHE_BEHAVIORS = 25;

// Values stay text (a Comment of "007" is not a number), as the SDK wrote them.
const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false });
const builder = new XMLBuilder({ suppressEmptyNode: false });

/** The live distribution as local mode creates it: one origin (the HLS server), no cache behaviour. */
export function defaultConfig(hlsBaseUrl: string): JsonObject {
  const origin = new URL(hlsBaseUrl);
  return parse(`<DistributionConfig>
  <CallerReference>local-media-live-distribution</CallerReference><Aliases><Quantity>0</Quantity></Aliases>
  <DefaultRootObject></DefaultRootObject>
  <Origins><Quantity>1</Quantity><Items><Origin><Id>default-origin</Id><DomainName>${origin.hostname}</DomainName>
    <OriginPath></OriginPath><CustomHeaders><Quantity>0</Quantity></CustomHeaders>
    <CustomOriginConfig><HTTPPort>${origin.port || 80}</HTTPPort><HTTPSPort>443</HTTPSPort>
      <OriginProtocolPolicy>http-only</OriginProtocolPolicy>
      <OriginSslProtocols><Quantity>1</Quantity><Items><SslProtocol>TLSv1.2</SslProtocol></Items></OriginSslProtocols>
      <OriginReadTimeout>30</OriginReadTimeout><OriginKeepaliveTimeout>5</OriginKeepaliveTimeout></CustomOriginConfig>
    <ConnectionAttempts>3</ConnectionAttempts><ConnectionTimeout>10</ConnectionTimeout>
    <OriginShield><Enabled>false</Enabled></OriginShield><OriginAccessControlId></OriginAccessControlId></Origin></Items></Origins>
  <DefaultCacheBehavior><TargetOriginId>default-origin</TargetOriginId>
    <TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners>
    <TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups>
    <ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>
    <AllowedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items>
      <CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods>
    <SmoothStreaming>false</SmoothStreaming><Compress>false</Compress>
    <LambdaFunctionAssociations><Quantity>0</Quantity></LambdaFunctionAssociations>
    <FunctionAssociations><Quantity>0</Quantity></FunctionAssociations><FieldLevelEncryptionId></FieldLevelEncryptionId>
    <CachePolicyId>4135ea2d-6df8-44a3-9df3-4b5a84be39ad</CachePolicyId></DefaultCacheBehavior>
  <CacheBehaviors><Quantity>0</Quantity></CacheBehaviors><CustomErrorResponses><Quantity>0</Quantity></CustomErrorResponses>
  <Comment>live</Comment>
  <Logging><Enabled>false</Enabled><IncludeCookies>false</IncludeCookies><Bucket></Bucket><Prefix></Prefix></Logging>
  <PriceClass>PriceClass_All</PriceClass><Enabled>true</Enabled>
  <ViewerCertificate><CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate>
    <MinimumProtocolVersion>TLSv1</MinimumProtocolVersion><CertificateSource>cloudfront</CertificateSource></ViewerCertificate>
  <Restrictions><GeoRestriction><RestrictionType>none</RestrictionType><Quantity>0</Quantity></GeoRestriction></Restrictions>
  <WebACLId></WebACLId><HttpVersion>http2</HttpVersion><IsIPV6Enabled>true</IsIPV6Enabled><Staging>false</Staging>
</DistributionConfig>`);
}

/** The members of a list wrapper (`<Items><Origin>…</Origin></Items>`): one element parses as an object. */
export function items(list: unknown): JsonObject[] {
  const wrapper = (list as JsonObject | undefined)?.Items;
  if (typeof wrapper !== 'object' || wrapper === null) return [];
  return Object.values(wrapper).flatMap((members) => (Array.isArray(members) ? members : [members]));
}

export function cloudFrontRoutes(ctx: { state: ControlState; save(): void; accountId: string }): Route[] {
  const distribution = (id = '') =>
    found(
      ctx.state.cloudfront.distributions[id],
      () => new AwsError('NoSuchDistribution', `No distribution ${id}.`, 404),
    );
  const xml = (root: string, tree: JsonObject, etag: string): Reply => ({
    status: 200,
    headers: { 'content-type': 'text/xml', etag },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${XMLNS}">${builder.build(tree) as string}</${root}>`,
  });
  const path = '/2020-05-31/distribution/{Id}/config';
  return [
    on('GET', path, (req) => {
      const { configXml, etag } = distribution(req.params.Id);
      return xml('DistributionConfig', configXml, etag);
    }),
    on('PUT', path, (req) => {
      const record = distribution(req.params.Id);
      const ifMatch = req.headers['if-match'];
      if (!ifMatch)
        throw new AwsError('InvalidIfMatchVersion', 'The If-Match version is missing or not valid.');
      if (ifMatch !== record.etag) {
        throw new AwsError(
          'PreconditionFailed',
          'The If-Match version is not the current one: the config changed.',
          412,
        );
      }
      const config = parse(req.body.toString('utf8'));
      check(record, config);
      Object.assign(record, {
        configXml: config,
        etag: newETag(),
        lastModifiedTime: new Date().toISOString(),
      });
      ctx.save();
      return xml('Distribution', describe(record, ctx.accountId), record.etag);
    }),
  ];
}

function describe(distribution: DistributionRecord, accountId: string): JsonObject {
  return {
    Id: distribution.id,
    ARN: localArn('cloudfront', '', accountId, `distribution/${distribution.id}`),
    // Local changes apply at once: the distribution is always deployed.
    Status: 'Deployed',
    LastModifiedTime: distribution.lastModifiedTime,
    InProgressInvalidationBatches: 0,
    DomainName: distribution.domainName,
    ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
    ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
    DistributionConfig: distribution.configXml,
  };
}

function parse(text: string): JsonObject {
  let document: JsonObject;
  try {
    document = parser.parse(text, true) as JsonObject;
  } catch (error) {
    throw new AwsError('MalformedXML', `The XML is not well-formed: ${String(error)}`);
  }
  const config = document.DistributionConfig;
  if (typeof config !== 'object' || config === null)
    throw new AwsError('MalformedXML', 'The document root must be <DistributionConfig>.');
  return withoutEmptyItems(config as JsonObject);
}

/** AWS leaves out an empty Items list, keeping only `<Quantity>0</Quantity>`. */
function withoutEmptyItems<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withoutEmptyItems) as T;
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node).filter(([key, value]) => !(key === 'Items' && value === ''));
  return Object.fromEntries(entries.map(([key, value]) => [key, withoutEmptyItems(value)])) as T;
}

/** The checks CloudFront makes on UpdateDistribution that a workflow can trip over. */
function check(current: DistributionRecord, next: JsonObject): void {
  const invalid = (message: string) => new AwsError('InvalidArgument', message);
  const mismatched = quantityMismatches(next, 'DistributionConfig');
  if (mismatched.length > 0) {
    throw new AwsError(
      'InconsistentQuantities',
      `The value of Quantity and the size of Items don't match: ${mismatched.join(', ')}`,
    );
  }
  if (next.CallerReference !== current.configXml.CallerReference) {
    throw new AwsError('IllegalUpdate', 'The CallerReference of a distribution cannot be changed.');
  }
  const origins = items(next.Origins).map((origin) => String(origin.Id));
  if (origins.length === 0) throw invalid('A distribution needs at least one origin.');
  if (origins.length > MAX_ORIGINS)
    throw new AwsError('TooManyOrigins', `You cannot create more origins (quota ${MAX_ORIGINS}).`);
  const behaviors = items(next.CacheBehaviors);
  if (behaviors.length > MAX_CACHE_BEHAVIORS) {
    throw new AwsError(
      'TooManyCacheBehaviors',
      `Your request contains more cache behaviors than allowed (quota ${MAX_CACHE_BEHAVIORS}).`,
    );
  }
  if (new Set(origins).size !== origins.length) throw invalid('The parameter origin Id must be unique.');
  if (new Set(behaviors.map((b) => b.PathPattern)).size !== behaviors.length)
    throw invalid('Each cache behavior needs a unique PathPattern.');
  for (const behavior of [next.DefaultCacheBehavior as JsonObject | undefined, ...behaviors]) {
    const target = String(behavior?.TargetOriginId);
    if (!origins.includes(target))
      throw new AwsError('NoSuchOrigin', `No origin exists with the specified Origin Id: ${target}`, 404);
  }
}

/** Paths of every `Quantity` + `Items` pair whose counts disagree. */
function quantityMismatches(value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as JsonObject;
  const own = 'Quantity' in record && Number(record.Quantity) !== items(record).length ? [path] : [];
  return [
    ...own,
    ...Object.entries(record).flatMap(([key, child]) => quantityMismatches(child, `${path}.${key}`)),
  ];
}
