/**
 * CreateStream step: the RTMP_PUSH input, with stream keys from a CSPRNG (128 bits each).
 * The keys go straight to the record, never into the workflow's state or logs: the execution
 * history is readable by anyone with console access.
 */
import { randomBytes } from 'node:crypto';
import { CreateInputCommand, DescribeInputCommand, type MediaLiveClient } from '@aws-sdk/client-medialive';
import { pipelinesOf } from '../../core/archive-naming.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export const newStreamKey = () => randomBytes(16).toString('hex');

export async function createInput(
  deps: {
    medialive: MediaLiveClient;
    store: StreamStore;
    inputSecurityGroupId: string;
    newKey?: () => string;
  },
  input: StreamTaskInput,
): Promise<{ live_input_id: string }> {
  const record = await deps.store.get(input.stream_id);
  if (record.live_input_id) {
    await deps.medialive.send(new DescribeInputCommand({ InputId: record.live_input_id }));
    return { live_input_id: record.live_input_id };
  }
  const key = deps.newKey ?? newStreamKey;
  const pipelines = pipelinesOf(record.channel_class);
  const out = await deps.medialive.send(
    new CreateInputCommand({
      Name: `live-${record.id}`,
      Type: 'RTMP_PUSH',
      InputSecurityGroups: [deps.inputSecurityGroupId],
      Destinations: Array.from({ length: pipelines }, (_, i) => ({ StreamName: `live${i + 1}/${key()}` })),
      // MediaLive's idempotency token: a retried step gets the same input back, not a second one.
      RequestId: `${record.id}-input`,
      Tags: { stream_id: record.id },
    }),
  );
  const created = out.Input;
  if (!created?.Id) throw new Error('MediaLive CreateInput answered without an input id');
  const urls = (created.Destinations ?? []).map((d) => d.Url ?? null);
  await deps.store.update(record, {
    live_input_id: created.Id,
    rtmp1: urls[0] ?? null,
    rtmp2: urls[1] ?? null,
  });
  return { live_input_id: created.Id };
}

export const handler = taskHandler('create-input', (input: StreamTaskInput) =>
  createInput(
    {
      medialive: clients.medialive(),
      store: clients.store(),
      inputSecurityGroupId: settings.inputSecurityGroupId(),
    },
    input,
  ),
);
