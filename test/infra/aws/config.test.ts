import { readFileSync } from 'node:fs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  CONTEXT_OPTIONS,
  ConfigError,
  isIpv4Cidr,
  readDeploymentConfig,
  unknownContextOptions,
} from '../../../infra/aws/config.js';

const read = (context: Record<string, unknown>) => readDeploymentConfig((name) => context[name]);
const problemsOf = (context: Record<string, unknown>): string[] => {
  try {
    read(context);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
};

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('readDeploymentConfig', () => {
  it('gives the documented defaults when no option is set', () => {
    expect(read({})).toEqual({
      stackPrefix: 'LiveStreaming',
      auth: 'iam',
      cognito: null,
      consoleOrigin: null,
      deletionProtection: true,
      archiveBucketName: null,
      inputCidrs: ['0.0.0.0/0'],
      liveCdn: null,
      speke: null,
      defaultMaxDurationSeconds: 43_200,
      logRetention: RetentionDays.ONE_MONTH,
      accessLogExpirationDays: 90,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      apiGatewayCloudWatchRole: true,
    });
  });

  it('reads the defaults written in cdk.json the same as no option at all', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, unknown>;
    };
    expect(read(cdkJson.context)).toEqual(read({}));
  });

  it('documents every option in cdk.json', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, unknown>;
    };
    expect(Object.keys(cdkJson.context).filter((k) => !k.startsWith('@'))).toEqual([...CONTEXT_OPTIONS]);
  });

  it('accepts command-line strings for booleans, numbers and lists', () => {
    const config = read({
      deletion_protection: 'false',
      default_max_duration_seconds: '3600',
      input_cidrs: '203.0.113.0/24, 198.51.100.7/32',
      log_retention_days: '90',
    });
    expect(config.deletionProtection).toBe(false);
    expect(config.defaultMaxDurationSeconds).toBe(3600);
    expect(config.inputCidrs).toEqual(['203.0.113.0/24', '198.51.100.7/32']);
    expect(config.logRetention).toBe(RetentionDays.THREE_MONTHS);
  });

  it('accepts a JSON array given as a string on the command line', () => {
    expect(read({ input_cidrs: '["203.0.113.0/24"]' }).inputCidrs).toEqual(['203.0.113.0/24']);
  });

  it('treats JSON null and empty strings as unset', () => {
    expect(read({ archive_bucket_name: null, console_origin: '' })).toEqual(read({}));
  });

  it('turns Cognito on with an existing pool', () => {
    const arn = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';
    expect(read({ auth: 'cognito', cognito_user_pool_arn: arn }).cognito).toEqual({ userPoolArn: arn });
    expect(read({ auth: 'cognito' }).cognito).toEqual({ userPoolArn: null });
  });

  it('keeps only the origin of console_origin', () => {
    expect(read({ console_origin: 'https://console.example.com/' }).consoleOrigin).toBe(
      'https://console.example.com',
    );
  });

  it('reads SPEKE settings as a pair', () => {
    const config = read({
      speke_url: 'https://keys.example.com/v1',
      speke_role_arn: 'arn:aws:iam::123456789012:role/speke',
    });
    expect(config.speke).toEqual({
      url: 'https://keys.example.com/v1',
      roleArn: 'arn:aws:iam::123456789012:role/speke',
    });
  });

  it('reads the CDN with a custom domain, an existing certificate and a zone', () => {
    const config = read({
      using_cloudfront: true,
      cloudfront_live_domain: 'Live.Example.com.',
      acm_certificate: CERT,
      route_53_id: '/hostedzone/Z0123456789ABC',
      route_53_zone_name: 'example.com',
    });
    expect(config.liveCdn).toEqual({
      domainName: 'live.example.com',
      certificateArn: CERT,
      hostedZone: { id: 'Z0123456789ABC', name: 'example.com' },
    });
  });

  it('reads the CDN without a custom domain', () => {
    expect(read({ using_cloudfront: 'true' }).liveCdn).toEqual({
      domainName: null,
      certificateArn: null,
      hostedZone: null,
    });
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      auth: 'oauth',
      deletion_protection: 'maybe',
      default_max_duration_seconds: 10,
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/auth: "oauth" is not one of iam, cognito/);
    expect(problems.join('\n')).toMatch(/deletion_protection: "maybe" is not true or false/);
    expect(problems.join('\n')).toMatch(
      /default_max_duration_seconds: 10 is not a whole number from 60 to 604800/,
    );
  });

  it('names the bad option in the error message', () => {
    expect(() => read({ log_retention_days: 42 })).toThrow(
      /log_retention_days: 42 is not a CloudWatch Logs retention/,
    );
  });

  it.each([
    ['not a CIDR', 'open'],
    ['an IPv6 CIDR', '2001:db8::/32'],
    ['an octet over 255', '256.0.0.0/8'],
    ['a prefix over 32', '10.0.0.0/33'],
  ])('refuses %s in input_cidrs', (_what, cidr) => {
    expect(problemsOf({ input_cidrs: [cidr] })[0]).toMatch(/input_cidrs: .* is not an IPv4 CIDR/);
  });

  it('refuses an empty CIDR list', () => {
    expect(problemsOf({ input_cidrs: [] })[0]).toMatch(/at least one CIDR/);
  });

  it('refuses CDN options while using_cloudfront is off', () => {
    expect(problemsOf({ cloudfront_live_domain: 'live.example.com', acm_certificate: CERT })).toEqual([
      'cloudfront_live_domain is set but using_cloudfront is not true',
      'acm_certificate is set but using_cloudfront is not true',
    ]);
  });

  it('refuses a custom domain without a way to get a certificate', () => {
    expect(problemsOf({ using_cloudfront: true, cloudfront_live_domain: 'live.example.com' })[0]).toMatch(
      /cloudfront_live_domain needs a certificate/,
    );
  });

  it('refuses a certificate outside us-east-1', () => {
    const arn = CERT.replace('us-east-1', 'eu-west-1');
    expect(
      problemsOf({
        using_cloudfront: true,
        cloudfront_live_domain: 'live.example.com',
        acm_certificate: arn,
      })[0],
    ).toMatch(/acm_certificate: .* is not an ACM certificate ARN in us-east-1/);
  });

  it('refuses a live domain outside its hosted zone', () => {
    const problems = problemsOf({
      using_cloudfront: true,
      cloudfront_live_domain: 'live.example.org',
      route_53_id: 'Z0123456789ABC',
      route_53_zone_name: 'example.com',
    });
    expect(problems).toEqual([
      'cloudfront_live_domain "live.example.org" is not inside the hosted zone "example.com"',
    ]);
  });

  it('refuses half a hosted zone', () => {
    expect(problemsOf({ using_cloudfront: true, route_53_id: 'Z0123456789ABC' })).toContain(
      'route_53_id and route_53_zone_name go together: the zone id for the records, its name to place them',
    );
  });

  it('refuses half a SPEKE configuration', () => {
    expect(problemsOf({ speke_url: 'https://keys.example.com' })).toEqual([
      'speke_url and speke_role_arn go together: set both to turn HLS encryption on, or neither',
    ]);
  });

  it('refuses a user pool ARN without auth=cognito', () => {
    expect(
      problemsOf({
        cognito_user_pool_arn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
      }),
    ).toEqual(['cognito_user_pool_arn is set but auth is not "cognito"']);
  });

  it.each([['*'], ['https://console.example.com/app'], ['ftp://console.example.com']])(
    'refuses %s as console_origin',
    (origin) => {
      expect(problemsOf({ console_origin: origin })[0]).toMatch(/console_origin: .* is not a browser origin/);
    },
  );

  it('refuses an archive bucket name S3 would refuse', () => {
    expect(problemsOf({ archive_bucket_name: 'My_Bucket' })[0]).toMatch(
      /archive_bucket_name: "My_Bucket" is not an S3 bucket name/,
    );
  });
});

describe('unknownContextOptions', () => {
  it('flags snake_case keys that are not options, and nothing else', () => {
    expect(
      unknownContextOptions([
        'using_cloudfrnt',
        'input_cidrs',
        '@aws-cdk/core:newStyleStackSynthesis',
        'aws:cdk:bundling-stacks',
        'acknowledged-issue-numbers',
      ]),
    ).toEqual(['using_cloudfrnt']);
  });
});

describe('isIpv4Cidr', () => {
  it('accepts dotted quads with a prefix length', () => {
    expect(isIpv4Cidr('0.0.0.0/0')).toBe(true);
    expect(isIpv4Cidr('192.0.2.1/32')).toBe(true);
    expect(isIpv4Cidr('192.0.2.1')).toBe(false);
  });
});
