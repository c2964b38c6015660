/** CreateStream step: the HLS origin endpoint viewers play from. */
import {
  CreateOriginEndpointCommand,
  DescribeOriginEndpointCommand,
  type MediaPackageClient,
  NotFoundException,
  UnprocessableEntityException,
} from '@aws-sdk/client-mediapackage';
import { MissingResource } from '../../core/errors.js';
import { hlsPackage, originEndpointId } from '../../core/origin-endpoint.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export async function createOriginEndpoint(
  deps: { mediapackage: MediaPackageClient; store: StreamStore; speke: ReturnType<typeof settings.speke> },
  input: StreamTaskInput,
): Promise<{ package_endpoint_id: string }> {
  const record = await deps.store.get(input.stream_id);
  if (!record.package_channel_id)
    throw new MissingResource(`stream ${record.id} has no MediaPackage channel`);
  const id = originEndpointId(record.id);
  let url: string | undefined;
  try {
    const out = await deps.mediapackage.send(
      new CreateOriginEndpointCommand({
        Id: id,
        ChannelId: record.package_channel_id,
        ManifestName: 'index',
        // Omitted = startover disabled (MediaPackage API); 0 means the same to our users.
        ...(record.startover_window_seconds > 0
          ? { StartoverWindowSeconds: record.startover_window_seconds }
          : {}),
        HlsPackage: hlsPackage(record, deps.speke),
        Tags: { stream_id: record.id },
      }),
    );
    url = out.Url;
  } catch (error) {
    // 422 is both "the id exists" (a retried step: the endpoint is ours) and "invalid parameters"
    // (then there is no endpoint, and the 422 is the reason to record).
    if (!(error instanceof UnprocessableEntityException)) throw error;
    const described = await deps.mediapackage
      .send(new DescribeOriginEndpointCommand({ Id: id }))
      .catch((describeError: unknown) => {
        throw describeError instanceof NotFoundException ? error : describeError;
      });
    url = described.Url;
  }
  await deps.store.update(record, { package_endpoint_id: id, viewer_endpoint: url ?? null });
  return { package_endpoint_id: id };
}

export const handler = taskHandler('create-origin-endpoint', (input: StreamTaskInput) =>
  createOriginEndpoint(
    { mediapackage: clients.mediapackage(), store: clients.store(), speke: settings.speke() },
    input,
  ),
);
