import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ApiLogger, JsonLogger } from '../../api/logger.js';
import { InvalidRequest } from '../../core/errors.js';
import { captureLogs } from './api-harness.js';

const SERVICE = `logger-test-${process.pid}`;

type Entry = Record<string, unknown>;

/** The same calls, through Powertools' Logger and through JsonLogger. */
function both(run: (logger: ApiLogger) => void): { powertools: Entry[]; ours: Entry[]; streams: string[] } {
  const capture = captureLogs(SERVICE);
  try {
    run(new Logger({ serviceName: SERVICE }));
  } finally {
    capture.restore();
  }
  const ours: Entry[] = [];
  const streams: string[] = [];
  run(
    new JsonLogger(SERVICE, process.env, (level, line) => {
      streams.push(level);
      ours.push(JSON.parse(line) as Entry);
    }),
  );
  return { powertools: capture.parsed(), ours, streams };
}

/** Timestamps differ by the clock; everything else must be the same. */
const timeless = (entries: Entry[]) => entries.map(({ timestamp: _t, ...rest }) => rest);

afterEach(() => vi.unstubAllEnvs());

describe('JsonLogger', () => {
  it("writes the lines Powertools' Logger writes: base fields, keys, extra fields", () => {
    vi.stubEnv(
      '_X_AMZN_TRACE_ID',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    );
    const { powertools, ours } = both((log) => {
      log.appendKeys({ request_id: 'r-1', stream_id: '0123456789ABCDEF' });
      log.info('request refused', { code: 'InvalidRequest', status_code: 400, reason: 'why' });
      log.warn('could not describe an execution', { execution: 'x', error: 'ThrottlingException' });
      log.resetKeys();
      log.info('after reset', { fields: ['name'] }, { more: true });
    });
    expect(timeless(ours)).toEqual(timeless(powertools));
    expect(ours[0]).toMatchObject({ xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793', sampling_rate: 0 });
    expect(Date.parse(String(ours[0]?.timestamp))).not.toBeNaN();
  });

  it('writes an Error as Powertools does: name, location, message, stack, cause and its own fields', () => {
    const cause = new RangeError('inner');
    const error = new Error('outer', { cause });
    const refusal = new InvalidRequest([{ field: 'name', reason: 'is read-only' }]);
    const { powertools, ours } = both((log) => {
      log.error('unexpected error', { error });
      log.info('refused', { error: refusal });
    });
    expect(timeless(ours)).toEqual(timeless(powertools));
    expect(ours[0]?.error).toMatchObject({ name: 'Error', message: 'outer', cause: { name: 'RangeError' } });
    expect(ours[1]?.error).toMatchObject({ name: 'InvalidRequest', problems: refusal.problems });
  });

  it('leaves xray_trace_id out without a trace, as Powertools does', () => {
    vi.stubEnv('_X_AMZN_TRACE_ID', '');
    const { powertools, ours } = both((log) => log.info('no trace'));
    expect(timeless(ours)).toEqual(timeless(powertools));
  });

  it('writes WARN and ERROR to stderr, INFO to stdout, and DEBUG only when the level allows', () => {
    const lines: Array<[string, string]> = [];
    const write = (level: string, line: string) => lines.push([level, JSON.parse(line).message]);
    const atInfo = new JsonLogger(SERVICE, {}, write);
    atInfo.debug('hidden');
    atInfo.info('i');
    atInfo.warn('w');
    atInfo.error('e');
    new JsonLogger(SERVICE, { POWERTOOLS_LOG_LEVEL: 'debug' }, write).debug('shown');
    // Lambda's own level wins over Powertools' variable, as in Powertools.
    new JsonLogger(SERVICE, { AWS_LAMBDA_LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'DEBUG' }, write).warn(
      'dropped',
    );
    expect(lines).toEqual([
      ['INFO', 'i'],
      ['WARN', 'w'],
      ['ERROR', 'e'],
      ['DEBUG', 'shown'],
    ]);

    const out = vi.spyOn(process.stdout, 'write').mockReturnValue(true);
    const err = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    try {
      const log = new JsonLogger(SERVICE, {});
      log.info('to stdout');
      log.error('to stderr');
      expect(out.mock.calls.map((c) => JSON.parse(String(c[0])).message)).toEqual(['to stdout']);
      expect(err.mock.calls.map((c) => JSON.parse(String(c[0])).message)).toEqual(['to stderr']);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
