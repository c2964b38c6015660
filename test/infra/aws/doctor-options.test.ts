import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkConsoleBuild,
  checkEndpointOverrides,
  checkOptions,
} from '../../../infra/aws/doctor/local-checks.js';
import { parseDoctorArgs, readCdkSettings, UsageError } from '../../../infra/aws/doctor/options.js';

describe('parseDoctorArgs', () => {
  it('reads --region, --profile, --json and repeated -c/--context flags', () => {
    expect(
      parseDoctorArgs([
        '--region',
        'eu-west-1',
        '--profile',
        'prod',
        '--json',
        '-c',
        'using_cloudfront=true',
        '--context',
        'input_cidrs=["203.0.113.0/24"]',
      ]),
    ).toEqual({
      region: 'eu-west-1',
      profile: 'prod',
      json: true,
      help: false,
      context: { using_cloudfront: 'true', input_cidrs: '["203.0.113.0/24"]' },
    });
  });

  it('defaults to the SDK chain: no region, no profile, text output', () => {
    expect(parseDoctorArgs([])).toEqual({
      region: null,
      profile: null,
      json: false,
      help: false,
      context: {},
    });
  });

  it('keeps "=" inside a value', () => {
    expect(parseDoctorArgs(['-c', 'console_origin=https://a.example?x=1']).context).toEqual({
      console_origin: 'https://a.example?x=1',
    });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['-c', 'no-equals-sign'], /-c takes name=value, not "no-equals-sign"/],
    [['--region', 'Ireland'], /--region "Ireland" is not an AWS region name/],
    [['positional'], /Unexpected argument 'positional'/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseDoctorArgs(argv)).toThrow(UsageError);
    expect(() => parseDoctorArgs(argv)).toThrow(message);
  });
});

describe('readCdkSettings', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const tempDir = (): string => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-cdk-'));
    return dir;
  };

  it('lets -c flags win over cdk.json, and cdk.json over cdk.context.json, like the CDK CLI', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'cdk.json'),
      JSON.stringify({
        app: 'x',
        toolkitStackName: 'MyToolkit',
        context: {
          auth: 'iam',
          using_cloudfront: false,
          stack_prefix: 'A',
          '@aws-cdk/core:bootstrapQualifier': 'q1',
        },
      }),
    );
    writeFileSync(
      join(dir, 'cdk.context.json'),
      JSON.stringify({ stack_prefix: 'B', auth: 'cognito', route_53_id: 'Z1' }),
    );
    const settings = readCdkSettings(dir, { using_cloudfront: 'true' });
    expect(settings.context).toMatchObject({
      auth: 'iam',
      using_cloudfront: 'true',
      stack_prefix: 'A',
      route_53_id: 'Z1',
    });
    expect(settings.toolkitStackName).toBe('MyToolkit');
    expect(settings.qualifier).toBe('q1');
  });

  it("uses the CDK's defaults without cdk.json", () => {
    expect(readCdkSettings(tempDir(), {})).toEqual({
      context: {},
      toolkitStackName: 'CDKToolkit',
      qualifier: 'hnb659fds',
    });
  });

  it('says which file is not JSON', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cdk.json'), '{ not json');
    expect(() => readCdkSettings(dir, {})).toThrow(/cdk\.json is not valid JSON/);
  });

  it("reads this repository's cdk.json: the app's defaults", () => {
    const settings = readCdkSettings(process.cwd(), {});
    expect(settings.context).toMatchObject({
      stack_prefix: 'LiveStreaming',
      auth: 'iam',
      using_cloudfront: false,
    });
  });
});

describe('checkOptions', () => {
  it('reads the options with the app parser and names them in one line', () => {
    const { config, results } = checkOptions({
      stack_prefix: 'Live',
      auth: 'iam',
      input_cidrs: '203.0.113.0/24',
      using_cloudfront: 'true',
    });
    expect(config?.stackPrefix).toBe('Live');
    expect(results).toEqual([
      {
        id: 'options',
        title: 'Deployment options',
        verdict: 'ok',
        detail: 'stack_prefix=Live, auth=iam, using_cloudfront=true',
      },
      { id: 'input-cidrs', title: 'RTMP ingest allow list', verdict: 'ok', detail: '203.0.113.0/24' },
    ]);
  });

  it('fails with every problem the app would stop the synth with', () => {
    const { config, results } = checkOptions({
      auth: 'saml',
      log_retention_days: 8,
      cognito_domain_prefix: 'x',
    });
    expect(config).toBeNull();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: 'options', verdict: 'fail' });
    expect(results[0]?.detail).toContain('auth: "saml" is not one of iam, cognito');
    expect(results[0]?.detail).toContain('log_retention_days: 8 is not a CloudWatch Logs retention');
    expect(results[0]?.detail).toContain('cognito_domain_prefix is set but auth is not "cognito"');
    expect(results[0]?.fix).toBe(
      'correct these options in cdk.json or the -c flags (README: Deploy to AWS, Options)',
    );
  });

  it('warns about an option name the app does not know (a typo is otherwise ignored)', () => {
    const { results } = checkOptions({ using_cloudfrnt: 'true', input_cidrs: '203.0.113.0/24' });
    expect(results.find((r) => r.id === 'unknown-options')).toMatchObject({
      verdict: 'warn',
      detail: 'using_cloudfrnt: not options of this app, ignored by the deploy',
    });
  });

  it('warns that RTMP ingest is open to the internet, with the option that closes it', () => {
    const { results } = checkOptions({});
    expect(results.find((r) => r.id === 'input-cidrs')).toEqual({
      id: 'input-cidrs',
      title: 'RTMP ingest allow list',
      verdict: 'warn',
      detail: 'input_cidrs allows 0.0.0.0/0: anyone with a stream key can push',
      fix: `-c input_cidrs='["<your encoders' CIDR>"]'`,
    });
  });

  it('checks the built console only with auth=cognito', () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-console-'));
    try {
      const withCognito = checkOptions({
        auth: 'cognito',
        console_assets_dir: dir,
        input_cidrs: '203.0.113.0/24',
      });
      expect(withCognito.results.find((r) => r.id === 'console-build')?.verdict).toBe('fail');
      const withIam = checkOptions({ auth: 'iam', input_cidrs: '203.0.113.0/24' });
      expect(withIam.results.find((r) => r.id === 'console-build')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('checkConsoleBuild', () => {
  it('is ok once index.html is built, and fails with the build command before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-console-'));
    try {
      expect(checkConsoleBuild(dir)).toMatchObject({
        verdict: 'fail',
        fix: 'npm run build:console (or point console_assets_dir at a built console)',
      });
      writeFileSync(join(dir, 'index.html'), '<!doctype html>');
      expect(checkConsoleBuild(dir).verdict).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('checkEndpointOverrides', () => {
  it('says nothing when the SDK talks to AWS', () => {
    expect(checkEndpointOverrides({ AWS_REGION: 'eu-west-1' })).toBeNull();
  });

  it('warns when local-mode endpoint variables are set, naming them', () => {
    expect(
      checkEndpointOverrides({
        AWS_ENDPOINT_URL_MEDIALIVE: 'http://127.0.0.1:4599',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
        AWS_ENDPOINT_URL_SFN: '',
      }),
    ).toMatchObject({
      verdict: 'warn',
      detail:
        'AWS_ENDPOINT_URL_MEDIALIVE, AWS_ENDPOINT_URL_S3 set: calls go to http://127.0.0.1:4599, http://127.0.0.1:4569 instead of AWS',
      fix: 'unset AWS_ENDPOINT_URL_MEDIALIVE AWS_ENDPOINT_URL_S3 (local mode sets them) before checking or deploying to AWS',
    });
  });
});
