import { describe, expect, it } from 'vitest';
import {
  buildReport,
  fail,
  formatJson,
  formatText,
  ok,
  redact,
  warn,
} from '../../../infra/aws/doctor/report.js';

const identity = {
  account: '111122223333',
  principal: 'arn:aws:iam::111122223333:user/alice',
  region: 'eu-west-1',
};

describe('buildReport', () => {
  it('exits 0 when nothing fails, warnings included', () => {
    const report = buildReport(identity, [ok('a', 'A', 'fine'), warn('b', 'B', 'meh', 'do b')]);
    expect(report.exitCode).toBe(0);
    expect(report.summary).toEqual({ ok: 1, warn: 1, fail: 0 });
  });

  it('exits 1 when any check fails', () => {
    const report = buildReport(identity, [ok('a', 'A', 'fine'), fail('c', 'C', 'broken', 'do c')]);
    expect(report.exitCode).toBe(1);
    expect(report.summary).toEqual({ ok: 1, warn: 0, fail: 1 });
  });

  it('masks access key ids and labelled secrets in details and fixes', () => {
    const report = buildReport(identity, [
      fail(
        'x',
        'X',
        'The security token AKIAIOSFODNN7EXAMPLE is invalid',
        'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      ),
    ]);
    const text = formatText(report) + formatJson(report);
    expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(text).not.toContain('wJalrXUtnFEMI');
    expect(report.checks[0]).toMatchObject({
      detail: 'The security token <access key id> is invalid',
      fix: 'aws_secret_access_key = <redacted>',
    });
  });
});

describe('redact', () => {
  it('leaves account ids, ARNs and commands alone', () => {
    const line = 'npx cdk bootstrap aws://111122223333/eu-west-1 (arn:aws:iam::111122223333:role/x)';
    expect(redact(line)).toBe(line);
  });

  it('masks temporary (ASIA) key ids and session tokens', () => {
    expect(redact('key ASIAY34FZKBOKMUTVV7A, x-amz-security-token: IQoJb3JpZ2luX2VjEJr')).toBe(
      'key <access key id>, x-amz-security-token: <redacted>',
    );
  });
});

describe('formatText', () => {
  it('prints one row per check, the fix under each gap, and the summary line', () => {
    const report = buildReport(identity, [
      ok('credentials', 'AWS credentials', 'arn:aws:iam::111122223333:user/alice'),
      warn('input-cidrs', 'RTMP ingest allow list', 'open to 0.0.0.0/0', "-c input_cidrs='[...]'"),
      fail(
        'bootstrap',
        'CDK bootstrap (eu-west-1)',
        'not bootstrapped',
        'npx cdk bootstrap aws://111122223333/eu-west-1',
      ),
    ]);
    expect(formatText(report)).toBe(
      [
        'Deploy doctor: account 111122223333, region eu-west-1',
        '',
        '  ok    AWS credentials            arn:aws:iam::111122223333:user/alice',
        '  warn  RTMP ingest allow list     open to 0.0.0.0/0',
        "                                   fix: -c input_cidrs='[...]'",
        '  FAIL  CDK bootstrap (eu-west-1)  not bootstrapped',
        '                                   fix: npx cdk bootstrap aws://111122223333/eu-west-1',
        '',
        '1 failed, 1 warning, 1 ok',
        '',
      ].join('\n'),
    );
  });
});

describe('formatJson', () => {
  it('carries every check with its verdict and fix, the summary and the exit code', () => {
    const report = buildReport(identity, [
      fail('bootstrap', 'CDK bootstrap', 'missing', 'npx cdk bootstrap'),
    ]);
    expect(JSON.parse(formatJson(report))).toEqual({
      ...identity,
      checks: [
        {
          id: 'bootstrap',
          title: 'CDK bootstrap',
          verdict: 'fail',
          detail: 'missing',
          fix: 'npx cdk bootstrap',
        },
      ],
      summary: { ok: 0, warn: 0, fail: 1 },
      exitCode: 1,
    });
  });
});
