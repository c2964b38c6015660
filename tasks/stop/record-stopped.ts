/** StopStream's last step (and StartStream's after a stop on failure): IDLE, session closed. */
import { recordStopped } from '../../core/stream-stopped.js';
import * as clients from '../clients.js';
import type { RecordStoppedInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export const handler = taskHandler('record-stopped', (input: RecordStoppedInput) =>
  recordStopped({ store: clients.store(), schedules: clients.schedules() }, input),
);
