/** Teardown steps: the MediaPackage origin endpoint, then its channel. Absent means done. */
import {
  DeleteChannelCommand,
  DeleteOriginEndpointCommand,
  type MediaPackageClient,
  NotFoundException,
} from '@aws-sdk/client-mediapackage';
import type { StreamStore } from '../core/stream-store.js';
import type { StreamTaskInput } from './create-package-channel.js';

async function tolerateNotFound(action: () => Promise<unknown>): Promise<'DELETED' | 'ABSENT'> {
  try {
    await action();
    return 'DELETED';
  } catch (error) {
    if (error instanceof NotFoundException) return 'ABSENT';
    throw error;
  }
}

export async function deleteOriginEndpoint(
  deps: { mediapackage: MediaPackageClient; store: StreamStore },
  input: StreamTaskInput,
): Promise<{ state: string }> {
  const record = await deps.store.get(input.stream_id);
  const id = record.package_endpoint_id;
  if (!id) return { state: 'NONE' };
  return {
    state: await tolerateNotFound(() => deps.mediapackage.send(new DeleteOriginEndpointCommand({ Id: id }))),
  };
}

export async function deletePackageChannel(
  deps: { mediapackage: MediaPackageClient; store: StreamStore },
  input: StreamTaskInput,
): Promise<{ state: string }> {
  const record = await deps.store.get(input.stream_id);
  const id = record.package_channel_id;
  if (!id) return { state: 'NONE' };
  return {
    state: await tolerateNotFound(() => deps.mediapackage.send(new DeleteChannelCommand({ Id: id }))),
  };
}
