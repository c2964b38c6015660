/**
 * POST /streams/{id}: changes user-editable fields; encoder-related changes apply at the next start.
 * Seed clients echo the whole record: read-only fields pass when unchanged and never change.
 */
import { ActionNotAllowed, type FieldProblem, InvalidRequest } from '../../core/errors.js';
import {
  DEFAULT_DESTINATION_RENDITION,
  EDITABLE_FIELDS,
  isAllowed,
  type SimulcastDestination,
  type StreamRecord,
} from '../../core/stream.js';
import { requireEncryption } from '../deployment.js';
import type { noQuery, Reply, Services, StreamRequest } from '../route.js';
import { READ_ONLY_FIELDS, type UpdateStreamBody, type updateStreamBody } from '../schemas.js';

// The body reader bounds the nesting depth, so this recursion is bounded too.
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function updateStream(
  { id, body }: StreamRequest<typeof updateStreamBody, typeof noQuery>,
  { store, logger, config }: Services,
): Promise<Reply> {
  const current = await store.get(id);
  const problems: FieldProblem[] = READ_ONLY_FIELDS.filter(
    (field) => Object.hasOwn(body, field) && !same(body[field], current[field]),
  ).map((field) => ({ field, reason: 'is read-only' }));
  if (problems.length > 0)
    throw new InvalidRequest(
      problems,
      `read-only fields cannot change: ${problems.map((p) => p.field).join(', ')}`,
    );
  // An echoed record repeats its settings: only values that differ are changes (a RUNNING stream
  // refuses encoder changes, not the same segment_length sent back).
  const changes: Partial<StreamRecord> = {};
  for (const field of EDITABLE_FIELDS) {
    const value = field === 'destinations' ? destinationsOf(body.destinations, current) : body[field];
    const was = field === 'destinations' ? (current.destinations ?? []) : current[field];
    if (value !== undefined && !same(value, was)) Object.assign(changes, { [field]: value });
  }
  if (changes.destinations !== undefined && current.status !== 'IDLE' && current.status !== 'FAILED') {
    throw new ActionNotAllowed(
      id,
      'update',
      current.status,
      `destinations can change only while the stream is IDLE: MediaLive changes the outputs of idle channels only (UpdateChannel); stop the stream first (it is ${current.status})`,
    );
  }
  requireEncryption(config, changes.key_rotation_interval);
  if (!isAllowed('update', current.status)) throw new ActionNotAllowed(id, 'update', current.status);
  if (current.status === 'RUNNING') {
    const encoderFields = Object.keys(changes).filter((f) => f !== 'name' && f !== 'description');
    if (encoderFields.length > 0) {
      throw new ActionNotAllowed(
        id,
        'update',
        current.status,
        `only name and description can change while the stream is RUNNING (not ${encoderFields.join(', ')})`,
      );
    }
  }
  if (Object.keys(changes).length === 0) return { body: current };
  const updated = await store.update(current, changes);
  logger.info('stream updated', { fields: Object.keys(changes) });
  return { body: updated };
}

/**
 * The destinations as the record will hold them: defaults filled in, and a null stream key (a
 * listing echoed back) replaced by the key of the current destination of that name.
 */
function destinationsOf(
  sent: UpdateStreamBody['destinations'],
  current: StreamRecord,
): SimulcastDestination[] | undefined {
  if (sent === undefined) return undefined;
  if (sent === null) return [];
  const problems: FieldProblem[] = [];
  const list = sent.map((d, i) => {
    const key = d.stream_key ?? current.destinations?.find((c) => c.name === d.name)?.stream_key ?? null;
    if (key === null)
      problems.push({ field: `destinations[${i}].stream_key`, reason: 'is required for a new destination' });
    return {
      name: d.name,
      url: d.url,
      backup_url: d.backup_url ?? null,
      stream_key: key,
      rendition: d.rendition ?? DEFAULT_DESTINATION_RENDITION,
    };
  });
  if (problems.length > 0) throw new InvalidRequest(problems);
  return list;
}
