/** DeleteStream step: a deleted stream keeps no schedule (start, stop, guard, input-loss). */
import type { StreamSchedules } from '../../core/stream-schedules.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export async function deleteSchedules(
  deps: { schedules: StreamSchedules | undefined },
  input: StreamTaskInput,
): Promise<{ deleted: boolean }> {
  if (!deps.schedules) return { deleted: false };
  await deps.schedules.removeAll(input.stream_id);
  return { deleted: true };
}

export const handler = taskHandler('delete-schedules', (input: StreamTaskInput) =>
  deleteSchedules({ schedules: clients.schedules() }, input),
);
