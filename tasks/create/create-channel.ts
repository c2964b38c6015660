/** CreateStream step: the MediaLive channel with the encoder profile (core/encoder-profile.ts). */
import {
  CreateChannelCommand,
  DescribeChannelCommand,
  type MediaLiveClient,
} from '@aws-sdk/client-medialive';
import { channelSpec } from '../../core/channel-spec.js';
import { buildCreateChannelInput } from '../../core/encoder-profile.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export async function createChannel(
  deps: { medialive: MediaLiveClient; store: StreamStore; roleArn: string; archiveBucket: string },
  input: StreamTaskInput,
): Promise<{ live_channel_id: string }> {
  const record = await deps.store.get(input.stream_id);
  if (record.live_channel_id) {
    await deps.medialive.send(new DescribeChannelCommand({ ChannelId: record.live_channel_id }));
    return { live_channel_id: record.live_channel_id };
  }
  // Each start points the archive at its own session prefix (UpdateChannel); until then, this one.
  const spec = channelSpec(record, {
    roleArn: deps.roleArn,
    archiveBucket: deps.archiveBucket,
    archivePrefix: `unstarted/${record.id}`,
  });
  const out = await deps.medialive.send(
    new CreateChannelCommand({ ...buildCreateChannelInput(spec), RequestId: `${record.id}-channel` }),
  );
  const id = out.Channel?.Id;
  if (!id) throw new Error('MediaLive CreateChannel answered without a channel id');
  await deps.store.update(record, { live_channel_id: id });
  return { live_channel_id: id };
}

export const handler = taskHandler('create-channel', (input: StreamTaskInput) =>
  createChannel(
    {
      medialive: clients.medialive(),
      store: clients.store(),
      roleArn: settings.mediaLiveRoleArn(),
      archiveBucket: settings.archiveBucket(),
    },
    input,
  ),
);
