/**
 * The doctor's verdicts and how they are printed: one line per check for people, one JSON document
 * for machines. Nothing here talks to AWS.
 */

export type Verdict = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable identifier, e.g. `bootstrap` or `quota-medialive-channels`. */
  id: string;
  /** Short human name, e.g. `CDK bootstrap (eu-west-1)`. */
  title: string;
  verdict: Verdict;
  /** One line: what was found. */
  detail: string;
  /** One line: how to close the gap; present for every warn and fail. */
  fix?: string;
}

export interface DoctorReport {
  account: string | null;
  principal: string | null;
  region: string | null;
  checks: CheckResult[];
  summary: Record<Verdict, number>;
  /** 0 when no check failed, 1 otherwise. */
  exitCode: 0 | 1;
}

export function ok(id: string, title: string, detail: string): CheckResult {
  return { id, title, verdict: 'ok', detail };
}

export function warn(id: string, title: string, detail: string, fix: string): CheckResult {
  return { id, title, verdict: 'warn', detail, fix };
}

export function fail(id: string, title: string, detail: string, fix: string): CheckResult {
  return { id, title, verdict: 'fail', detail, fix };
}

export function buildReport(
  identity: { account: string | null; principal: string | null; region: string | null },
  checks: CheckResult[],
): DoctorReport {
  const redacted = checks.map(redactResult);
  const summary: Record<Verdict, number> = { ok: 0, warn: 0, fail: 0 };
  for (const check of redacted) summary[check.verdict] += 1;
  return { ...identity, checks: redacted, summary, exitCode: summary.fail > 0 ? 1 : 0 };
}

const MARK: Record<Verdict, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** The report for a terminal: a header, one row per check, the fix under each gap, a summary line. */
export function formatText(report: DoctorReport): string {
  const width = Math.min(40, Math.max(...report.checks.map((c) => c.title.length), 10));
  const where = [
    report.account ? `account ${report.account}` : 'account unknown',
    report.region ? `region ${report.region}` : 'region unknown',
  ].join(', ');
  const lines = [`Deploy doctor: ${where}`, ''];
  for (const check of report.checks) {
    lines.push(`  ${MARK[check.verdict]}  ${check.title.padEnd(width)}  ${check.detail}`);
    if (check.fix) lines.push(`        ${' '.repeat(width)}  fix: ${check.fix}`);
  }
  const { ok: okCount, warn: warnCount, fail: failCount } = report.summary;
  lines.push(
    '',
    `${failCount} failed, ${warnCount} ${warnCount === 1 ? 'warning' : 'warnings'}, ${okCount} ok`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// Access key ids (AKIA… long-term, ASIA… temporary) and anything after a secret-looking label. The
// checks never read secrets, but an SDK error message or a user's option could carry one.
const ACCESS_KEY_ID = /\b(A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g;
const LABELLED_SECRET =
  /\b(aws_secret_access_key|secret_access_key|secretaccesskey|aws_session_token|session_token|sessiontoken|x-amz-security-token)(\s*[=:]\s*)\S+/gi;

/** Masks credentials in a line of text before it is printed. */
export function redact(text: string): string {
  return text.replace(ACCESS_KEY_ID, '<access key id>').replace(LABELLED_SECRET, '$1$2<redacted>');
}

function redactResult(check: CheckResult): CheckResult {
  return {
    ...check,
    detail: redact(check.detail),
    ...(check.fix === undefined ? {} : { fix: redact(check.fix) }),
  };
}
