/** DeleteStream step (and CreateStream's clean-up): the MediaPackage channel, after its endpoint. Absent means done. */
import {
  DeleteChannelCommand,
  type MediaPackageClient,
  NotFoundException,
} from '@aws-sdk/client-mediapackage';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { deleteIfPresent, taskHandler } from '../runtime.js';

export async function deletePackageChannel(
  deps: { mediapackage: MediaPackageClient; store: StreamStore },
  input: StreamTaskInput,
): Promise<{ state: string }> {
  const record = await deps.store.get(input.stream_id);
  const id = record.package_channel_id;
  if (!id) return { state: 'NONE' };
  return {
    state: await deleteIfPresent(
      () => deps.mediapackage.send(new DeleteChannelCommand({ Id: id })),
      (error) => error instanceof NotFoundException,
    ),
  };
}

export const handler = taskHandler('delete-package-channel', (input: StreamTaskInput) =>
  deletePackageChannel({ mediapackage: clients.mediapackage(), store: clients.store() }, input),
);
