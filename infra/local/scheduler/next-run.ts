/**
 * When a schedule runs next. One-time schedules run once (StartDate and EndDate are ignored for
 * them, as the API reference says); rate schedules run at StartDate (or when created or updated,
 * "immediately" in the user guide's words) and every period after, while before EndDate; cron
 * schedules are stored but not run locally.
 */

import { parseScheduleExpression } from './schedule-expression.js';
import type { ScheduleRecord } from './schedule-record.js';

export type NextRun =
  | { kind: 'due'; time: number }
  | { kind: 'completed' }
  | { kind: 'never'; reason: string };

export function nextRun(schedule: ScheduleRecord, now: number): NextRun {
  if (schedule.state === 'DISABLED') return { kind: 'never', reason: 'disabled' };
  const expression = parseScheduleExpression(schedule.expression, schedule.timezone);
  switch (expression.kind) {
    case 'at':
      return schedule.lastScheduledTime === undefined
        ? { kind: 'due', time: expression.time }
        : { kind: 'completed' };
    case 'rate': {
      const period = expression.periodMs;
      const anchor = schedule.anchor;
      const last = schedule.lastScheduledTime;
      let time = last === undefined ? anchor : anchor + (Math.floor((last - anchor) / period) + 1) * period;
      // Occurrences missed while the process was down collapse into the latest one, as a late
      // event per occurrence would pile up runs of the same job.
      if (time + period <= now) time = anchor + Math.floor((now - anchor) / period) * period;
      if (schedule.endDate !== undefined && time >= schedule.endDate) return { kind: 'completed' };
      return { kind: 'due', time };
    }
    case 'cron':
      return { kind: 'never', reason: 'cron() schedules are stored but not run by the local scheduler' };
  }
}
