/**
 * Schedule expressions as the Scheduler API reference defines them (CreateSchedule,
 * ScheduleExpression): `at(yyyy-mm-ddThh:mm:ss)` evaluated in ScheduleExpressionTimezone,
 * `rate(value unit)` with unit minute(s) | hour(s) | day(s), and six-field `cron(...)`.
 */
import { validationError } from './api-errors.js';

export type ScheduleExpression =
  | { kind: 'at' /** epoch ms */; time: number }
  | { kind: 'rate'; periodMs: number }
  | { kind: 'cron'; fields: string[] };

export const DEFAULT_TIMEZONE = 'UTC';

const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const RATE = /^rate\((\d+) (minutes?|hours?|days?)\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const CRON_FIELD = /^[0-9A-Za-z*?,/#\-LW]+$/;

export function parseScheduleExpression(expression: string, timezone = DEFAULT_TIMEZONE): ScheduleExpression {
  const invalid = (why: string) => validationError(`Invalid Schedule Expression ${expression}: ${why}`);
  const at = AT.exec(expression);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
    const check = new Date(asUtc);
    if (
      check.getUTCFullYear() !== year ||
      check.getUTCMonth() !== month - 1 ||
      check.getUTCDate() !== day ||
      hour > 23 ||
      minute > 59 ||
      second > 59
    ) {
      throw invalid('not a date and time.');
    }
    return { kind: 'at', time: zonedTimeToEpoch(asUtc, timezone) };
  }
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (!Number.isSafeInteger(value) || value < 1) throw invalid('the value must be a positive integer.');
    // As for EventBridge rate expressions: singular unit for 1, plural above.
    if ((value === 1) !== !unit.endsWith('s')) {
      throw invalid(
        value === 1 ? 'use a singular unit for a value of 1.' : 'use a plural unit for a value above 1.',
      );
    }
    return { kind: 'rate', periodMs: value * (UNIT_MS[unit.replace(/s$/, '')] ?? 0) };
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== 6 || !fields.every((field) => CRON_FIELD.test(field))) {
      throw invalid('a cron expression has six fields: minutes hours day-of-month month day-of-week year.');
    }
    // One of day-of-month and day-of-week must be `?` (Scheduler user guide, cron expressions).
    if ((fields[2] === '?') === (fields[4] === '?')) {
      throw invalid('exactly one of day-of-month and day-of-week must be ?.');
    }
    return { kind: 'cron', fields };
  }
  throw invalid('expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields).');
}

export function assertTimezone(timezone: string): void {
  try {
    formatter(timezone);
  } catch {
    throw validationError(`Invalid ScheduleExpressionTimezone ${timezone}.`);
  }
}

/**
 * The instant at which clocks in `timezone` show the wall time `wall` (given as if it were UTC).
 * Around a DST change a wall time may exist twice (the first is taken) or not at all (it moves
 * forward by the gap, 02:30 becoming 03:30), like most calendar libraries.
 */
export function zonedTimeToEpoch(wall: number, timezone: string): number {
  const day = 86_400_000;
  const before = offsetAt(wall - day, timezone);
  const after = offsetAt(wall + day, timezone);
  const exact = [wall - before, wall - after].filter((t) => t + offsetAt(t, timezone) === wall);
  return exact.length > 0 ? Math.min(...exact) : wall - before;
}

function offsetAt(epoch: number, timezone: string): number {
  const parts = formatter(timezone).formatToParts(new Date(epoch));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const shown = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return shown - (epoch - (((epoch % 1000) + 1000) % 1000));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let found = formatters.get(timezone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, found);
  }
  return found;
}
