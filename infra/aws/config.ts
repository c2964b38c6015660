/**
 * Every deployment option of the CDK app, read from CDK context (`cdk.json` or `-c name=value`),
 * checked once, with defaults. Values given on the command line arrive as strings, values in
 * `cdk.json` as JSON: both forms are accepted. Every problem is reported at once, so a user fixes a
 * bad command line in one go.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** How API callers authenticate. */
export type ApiAuth = 'iam' | 'cognito';

export interface CognitoConfig {
  /** ARN of an existing user pool; `null` creates a pool and an app client in the stateful stack. */
  userPoolArn: string | null;
}

export interface LiveCdnConfig {
  /** Custom host viewers use (e.g. `live.example.com`); `null` serves from `*.cloudfront.net`. */
  domainName: string | null;
  /** Existing ACM certificate in us-east-1 for `domainName`; `null` creates one when a zone is given. */
  certificateArn: string | null;
  /** Route53 hosted zone holding `domainName`: DNS validation of a new certificate and the alias records. */
  hostedZone: { id: string; name: string } | null;
}

export interface SpekeConfig {
  url: string;
  roleArn: string;
}

export interface DeploymentConfig {
  /**
   * Prefix of the stack names (`<prefix>-Stateful`, `<prefix>-Stateless`): two deployments in one
   * account and region need two prefixes.
   * @default 'LiveStreaming'
   */
  stackPrefix: string;
  /** @default 'iam' */
  auth: ApiAuth;
  /** Set when `auth` is `cognito`. */
  cognito: CognitoConfig | null;
  /**
   * Browser origin of a web console allowed by CORS (`https://console.example.com`).
   * @default null (no CORS)
   */
  consoleOrigin: string | null;
  /**
   * DynamoDB deletion protection and Cognito user pool deletion protection.
   * @default true
   */
  deletionProtection: boolean;
  /**
   * Name of an existing archive bucket (same region) to import instead of creating one.
   * @default null (create the bucket)
   */
  archiveBucketName: string | null;
  /**
   * IPv4 CIDRs allowed to push RTMP to MediaLive inputs (the input security group's allow list).
   * @default ['0.0.0.0/0'] (with a synth-time warning)
   */
  inputCidrs: string[];
  /**
   * The optional "live" CloudFront distribution (context `using_cloudfront`).
   * @default null (no distribution; the live routes answer with a clear error)
   */
  liveCdn: LiveCdnConfig | null;
  /**
   * SPEKE key provider for HLS encryption (`speke_url` + `speke_role_arn`).
   * @default null (no encryption; `key_rotation_interval` is refused by the API)
   */
  speke: SpekeConfig | null;
  /**
   * Auto-stop guard given to streams created without `max_duration_seconds`.
   * @default 43200 (12 hours)
   */
  defaultMaxDurationSeconds: number;
  /**
   * Retention of the Lambda and API access log groups.
   * @default RetentionDays.ONE_MONTH
   */
  logRetention: RetentionDays;
  /**
   * Days before S3 server access logs and CloudFront logs expire from the access-log bucket.
   * @default 90
   */
  accessLogExpirationDays: number;
  /**
   * API Gateway stage throttling: steady requests per second and burst.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  apiThrottle: { rateLimit: number; burstLimit: number };
  /**
   * Create the account's API Gateway CloudWatch role (for this region) and set it: REST API stages
   * with logging fail to deploy without one, and a fresh account has none. `false` keeps the role
   * the account already has (`npm run doctor` checks there is one).
   */
  apiGatewayCloudWatchRole: boolean;
}

/** The context option names, as users type them. */
export const CONTEXT_OPTIONS = [
  'stack_prefix',
  'auth',
  'cognito_user_pool_arn',
  'cognito_domain_prefix',
  'console_origin',
  'console_assets_dir',
  'deletion_protection',
  'archive_bucket_name',
  'input_cidrs',
  'using_cloudfront',
  'cloudfront_live_domain',
  'acm_certificate',
  'route_53_id',
  'route_53_zone_name',
  'speke_url',
  'speke_role_arn',
  'default_max_duration_seconds',
  'log_retention_days',
  'access_log_expiration_days',
  'api_throttle_rate_limit',
  'api_throttle_burst_limit',
  'api_gateway_cloudwatch_role',
] as const;
export type ContextOption = (typeof CONTEXT_OPTIONS)[number];

export const OPEN_TO_INTERNET_CIDR = '0.0.0.0/0';

/** Thrown with every problem found, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid CDK context:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads one context value; `undefined` when unset. Fits `app.node.tryGetContext`. */
export type ContextReader = (name: string) => unknown;

/** The values CloudWatch Logs accepts for a retention, in days (9999 is "never expire"). */
const RETENTION_DAYS = new Set(
  Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number'),
);

// MediaLive's API takes the stream's `max_duration_seconds` between 60 s and 7 days (api/schemas.ts).
const MAX_DURATION_RANGE = { min: 60, max: 7 * 86_400 } as const;

export function readDeploymentConfig(read: ContextReader): DeploymentConfig {
  const problems: string[] = [];
  const ctx = new ContextParser(read, problems);

  const stackPrefix =
    ctx.string(
      'stack_prefix',
      /^[A-Za-z][A-Za-z0-9-]{0,63}$/,
      'letters, digits and -, starting with a letter',
    ) ?? 'LiveStreaming';

  const auth = ctx.oneOf('auth', ['iam', 'cognito'] as const) ?? 'iam';
  const userPoolArn = ctx.string(
    'cognito_user_pool_arn',
    /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9A-Za-z]+$/,
    'a Cognito user pool ARN (arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>)',
  );
  if (userPoolArn !== null && auth !== 'cognito')
    problems.push('cognito_user_pool_arn is set but auth is not "cognito"');

  const consoleOrigin = parseOrigin(ctx.raw('console_origin'), problems);

  const archiveBucketName = ctx.string(
    'archive_bucket_name',
    /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'an S3 bucket name (3-63 characters: lowercase letters, digits, dots and hyphens)',
  );

  const inputCidrs = ctx.list('input_cidrs') ?? [OPEN_TO_INTERNET_CIDR];
  if (inputCidrs.length === 0)
    problems.push('input_cidrs: give at least one CIDR (no CIDR means no encoder can push)');
  for (const cidr of inputCidrs) {
    if (!isIpv4Cidr(cidr))
      problems.push(
        `input_cidrs: "${cidr}" is not an IPv4 CIDR such as 203.0.113.0/24 (MediaLive accepts IPv4 only)`,
      );
  }

  const liveCdn = readLiveCdn(ctx, problems);

  const spekeUrl = ctx.string('speke_url', /^https:\/\/\S+$/, 'an https:// URL of the SPEKE key provider');
  const spekeRoleArn = ctx.string(
    'speke_role_arn',
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    'an IAM role ARN',
  );
  if ((spekeUrl === null) !== (spekeRoleArn === null)) {
    problems.push('speke_url and speke_role_arn go together: set both to turn HLS encryption on, or neither');
  }

  const defaultMaxDurationSeconds = ctx.integer('default_max_duration_seconds', MAX_DURATION_RANGE) ?? 43_200;

  const retention = ctx.integer('log_retention_days', { min: 1, max: 9999 });
  if (retention !== null && !RETENTION_DAYS.has(retention)) {
    problems.push(
      `log_retention_days: ${retention} is not a CloudWatch Logs retention; use one of ${[...RETENTION_DAYS].join(', ')}`,
    );
  }

  const config: DeploymentConfig = {
    stackPrefix,
    auth,
    cognito: auth === 'cognito' ? { userPoolArn } : null,
    consoleOrigin,
    deletionProtection: ctx.boolean('deletion_protection') ?? true,
    archiveBucketName,
    inputCidrs,
    liveCdn,
    speke: spekeUrl !== null && spekeRoleArn !== null ? { url: spekeUrl, roleArn: spekeRoleArn } : null,
    defaultMaxDurationSeconds,
    logRetention: retention !== null && RETENTION_DAYS.has(retention) ? retention : RetentionDays.ONE_MONTH,
    accessLogExpirationDays: ctx.integer('access_log_expiration_days', { min: 1, max: 3653 }) ?? 90,
    apiThrottle: {
      rateLimit: ctx.integer('api_throttle_rate_limit', { min: 1, max: 10_000 }) ?? 50,
      burstLimit: ctx.integer('api_throttle_burst_limit', { min: 1, max: 5_000 }) ?? 100,
    },
    apiGatewayCloudWatchRole: ctx.boolean('api_gateway_cloudwatch_role') ?? true,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Context keys that look like one of ours (snake_case) but are not: most likely a typo that would
 * otherwise be ignored without a word.
 */
export function unknownContextOptions(keys: Iterable<string>): string[] {
  const known = new Set<string>(CONTEXT_OPTIONS);
  return [...keys].filter((k) => /^[a-z0-9]+(_[a-z0-9]+)+$/.test(k) && !known.has(k));
}

function readLiveCdn(ctx: ContextParser, problems: string[]): LiveCdnConfig | null {
  const enabled = ctx.boolean('using_cloudfront') ?? false;
  const domainName = ctx.string('cloudfront_live_domain', DOMAIN_NAME, 'a DNS name such as live.example.com');
  const certificateArn = ctx.string(
    'acm_certificate',
    /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/,
    'an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)',
  );
  const zoneId = ctx.string(
    'route_53_id',
    /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/,
    'a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ',
  );
  const zoneName = ctx.string('route_53_zone_name', DOMAIN_NAME, 'the hosted zone name such as example.com');

  const cdnOnly = {
    cloudfront_live_domain: domainName,
    acm_certificate: certificateArn,
    route_53_id: zoneId,
    route_53_zone_name: zoneName,
  };
  if (!enabled) {
    for (const [name, value] of Object.entries(cdnOnly)) {
      if (value !== null) problems.push(`${name} is set but using_cloudfront is not true`);
    }
    return null;
  }
  if ((zoneId === null) !== (zoneName === null)) {
    problems.push(
      'route_53_id and route_53_zone_name go together: the zone id for the records, its name to place them',
    );
  }
  const hostedZone =
    zoneId !== null && zoneName !== null
      ? { id: zoneId.replace(/^\/hostedzone\//, ''), name: stripDot(zoneName) }
      : null;
  const domain = domainName === null ? null : stripDot(domainName);
  if (domain === null) {
    if (certificateArn !== null)
      problems.push('acm_certificate needs cloudfront_live_domain: the certificate is for that name');
    if (hostedZone !== null)
      problems.push('route_53_id needs cloudfront_live_domain: the alias record is for that name');
  } else {
    if (certificateArn === null && hostedZone === null) {
      problems.push(
        'cloudfront_live_domain needs a certificate: give acm_certificate (an existing ARN in us-east-1), or route_53_id and route_53_zone_name to create a DNS-validated one',
      );
    }
    if (hostedZone !== null && domain !== hostedZone.name && !domain.endsWith(`.${hostedZone.name}`)) {
      problems.push(`cloudfront_live_domain "${domain}" is not inside the hosted zone "${hostedZone.name}"`);
    }
  }
  return { domainName: domain, certificateArn, hostedZone };
}

const DOMAIN_NAME =
  /^(?=.{1,253}\.?$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\.?$/i;

function stripDot(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

export function isIpv4Cidr(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  return octets.every((o) => o <= 255) && prefix <= 32;
}

function parseOrigin(value: unknown, problems: string[]): string | null {
  if (value === null) return null;
  const bad = () => {
    problems.push(
      `console_origin: "${String(value)}" is not a browser origin such as https://console.example.com (scheme and host, no path; "*" is not allowed with authenticated calls)`,
    );
    return null;
  };
  if (typeof value !== 'string') return bad();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return bad();
  }
  if (
    !['https:', 'http:'].includes(url.protocol) ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash
  ) {
    return bad();
  }
  return url.origin;
}

/** Reads context values of each type, recording a problem for each bad one and answering `null`. */
class ContextParser {
  constructor(
    private readonly read: ContextReader,
    private readonly problems: string[],
  ) {}

  /** The value, or `null` when unset (missing, JSON null or an empty string). */
  raw(name: ContextOption): unknown {
    const value = this.read(name);
    if (value === undefined || value === null || value === '') return null;
    return value;
  }

  string(name: ContextOption, pattern: RegExp, expected: string): string | null {
    const value = this.raw(name);
    if (value === null) return null;
    if (typeof value !== 'string' || !pattern.test(value.trim())) {
      this.problems.push(`${name}: ${JSON.stringify(value)} is not ${expected}`);
      return null;
    }
    return value.trim();
  }

  oneOf<T extends string>(name: ContextOption, allowed: readonly T[]): T | null {
    const value = this.raw(name);
    if (value === null) return null;
    const found = allowed.find((a) => typeof value === 'string' && a === value.trim().toLowerCase());
    if (found === undefined)
      this.problems.push(`${name}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
    return found ?? null;
  }

  boolean(name: ContextOption): boolean | null {
    const value = this.raw(name);
    if (value === null) return null;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
      return value.trim().toLowerCase() === 'true';
    this.problems.push(`${name}: ${JSON.stringify(value)} is not true or false`);
    return null;
  }

  integer(name: ContextOption, range: { min: number; max: number }): number | null {
    const value = this.raw(name);
    if (value === null) return null;
    const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < range.min || n > range.max) {
      this.problems.push(
        `${name}: ${JSON.stringify(value)} is not a whole number from ${range.min} to ${range.max}`,
      );
      return null;
    }
    return n;
  }

  /** A JSON array, a JSON array in a string (`-c 'x=["a","b"]'`), or a comma-separated string. */
  list(name: ContextOption): string[] | null {
    let value = this.raw(name);
    if (value === null) return null;
    if (typeof value === 'string' && value.trim().startsWith('[')) {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        this.problems.push(`${name}: ${JSON.stringify(value)} is not a JSON array of strings`);
        return null;
      }
    }
    if (typeof value === 'string')
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim());
    this.problems.push(`${name}: ${JSON.stringify(value)} is not a list of strings`);
    return null;
  }
}
