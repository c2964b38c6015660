/**
 * POST, GET and DELETE /streams/{id}/schedule: one-time EventBridge Scheduler schedules that start
 * (and optionally stop) the stream, through the same workflows as the API's own start and stop.
 */
import { ActionNotAllowed, type FieldProblem, InvalidRequest } from '../../core/errors.js';
import { isAllowed, type StreamRecord } from '../../core/stream.js';
import { pathFieldProblem } from '../archive-check.js';
import { requireEncryption, requireSchedules } from '../deployment.js';
import { HttpError } from '../http.js';
import type { noBody, noQuery, Reply, Services, StreamRequest } from '../route.js';
import type { scheduleBody } from '../schemas.js';

/** Scheduler accepts any date; a year ahead is the product's limit for planned events. */
const MAX_SCHEDULE_AHEAD_MS = 366 * 86_400_000;

export async function setSchedule(
  { id, body }: StreamRequest<typeof scheduleBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  const { store, schedules: maybeSchedules, logger, config, now } = services;
  const schedules = requireSchedules(maybeSchedules);
  requireEncryption(config, body.key_rotation_interval);
  const current = await store.get(id);
  if (!isAllowed('schedule', current.status) && current.status !== 'FAILED') {
    throw new ActionNotAllowed(id, 'schedule', current.status);
  }
  const at = now();
  const startAt = new Date(body.start_at);
  const stopAt = body.stop_at ? new Date(body.stop_at) : undefined;
  const problems: FieldProblem[] = [];
  // Scheduler's one-time schedules are to the second: leave it a few to create the schedule.
  if (startAt.getTime() < at.getTime() + 5_000)
    problems.push({ field: 'start_at', reason: 'must be at least 5 seconds in the future' });
  if (startAt.getTime() > at.getTime() + MAX_SCHEDULE_AHEAD_MS)
    problems.push({ field: 'start_at', reason: 'must be within one year' });
  if (stopAt) {
    const maxDuration = current.max_duration_seconds ?? config.defaultMaxDurationSeconds;
    if (stopAt.getTime() <= startAt.getTime())
      problems.push({ field: 'stop_at', reason: 'must be after start_at' });
    else if (maxDuration && stopAt.getTime() - startAt.getTime() > maxDuration * 1000) {
      problems.push({
        field: 'stop_at',
        reason: `the stream would run longer than its maximum duration (${maxDuration} s)`,
      });
    }
  }
  const pathProblem = await pathFieldProblem(services, body.path);
  if (pathProblem) problems.push(pathProblem);
  if (problems.length > 0)
    throw new InvalidRequest(
      problems,
      `invalid schedule: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`,
    );
  const options = body.path !== undefined ? { path: body.path } : {};
  // Replacing a schedule replaces both times: the old stop goes even when the new one has none.
  await schedules.set(id, 'start', startAt, options);
  if (stopAt) await schedules.set(id, 'stop', stopAt);
  else await schedules.remove(id, 'stop');
  const changes: Partial<StreamRecord> = {
    schedule: {
      start_at: startAt.toISOString(),
      stop_at: stopAt?.toISOString() ?? null,
      start_options: options,
      updated_at: at.toISOString(),
      start_fired_at: null,
      stop_fired_at: null,
      last_result: null,
    },
  };
  if (body.startover_window_seconds !== undefined)
    changes.startover_window_seconds = body.startover_window_seconds;
  if (body.key_rotation_interval !== undefined) changes.key_rotation_interval = body.key_rotation_interval;
  const updated = await store.update(current, changes);
  logger.info('schedule set', { start_at: changes.schedule?.start_at, stop_at: changes.schedule?.stop_at });
  return { body: updated };
}

export async function getSchedule(
  { id }: StreamRequest<typeof noBody, typeof noQuery>,
  { store }: Services,
): Promise<Reply> {
  const record = await store.get(id);
  if (!record.schedule) throw new HttpError(404, 'ScheduleNotFound', `stream ${id} has no schedule`);
  return { body: record.schedule };
}

export async function deleteSchedule(
  { id }: StreamRequest<typeof noBody, typeof noQuery>,
  { store, schedules: maybeSchedules }: Services,
): Promise<Reply> {
  const schedules = requireSchedules(maybeSchedules);
  const current = await store.get(id);
  await schedules.removeAll(id, ['start', 'stop']);
  return { body: current.schedule ? await store.update(current, { schedule: null }) : current };
}
