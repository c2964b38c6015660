/** CreateStream step: the MediaPackage v1 channel (id derived from the stream id, so a retry finds it). */
import {
  CreateChannelCommand,
  DescribeChannelCommand,
  type MediaPackageClient,
  NotFoundException,
  UnprocessableEntityException,
} from '@aws-sdk/client-mediapackage';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export const packageChannelId = (streamId: string) => `live-${streamId}`;

export async function createPackageChannel(
  deps: { mediapackage: MediaPackageClient; store: StreamStore },
  input: StreamTaskInput,
): Promise<{ package_channel_id: string }> {
  const record = await deps.store.get(input.stream_id);
  const id = packageChannelId(record.id);
  try {
    await deps.mediapackage.send(
      new CreateChannelCommand({
        Id: id,
        Description: record.name.slice(0, 200),
        Tags: { stream_id: record.id },
      }),
    );
  } catch (error) {
    // MediaPackage answers an existing id with 422 (UnprocessableEntity): a retried step, the channel is ours.
    // It answers invalid parameters with 422 too: then there is no channel, and the 422 is the reason.
    if (!(error instanceof UnprocessableEntityException)) throw error;
    await deps.mediapackage.send(new DescribeChannelCommand({ Id: id })).catch((describeError: unknown) => {
      throw describeError instanceof NotFoundException ? error : describeError;
    });
  }
  if (record.package_channel_id !== id) await deps.store.update(record, { package_channel_id: id });
  return { package_channel_id: id };
}

export const handler = taskHandler('create-package-channel', (input: StreamTaskInput) =>
  createPackageChannel({ mediapackage: clients.mediapackage(), store: clients.store() }, input),
);
