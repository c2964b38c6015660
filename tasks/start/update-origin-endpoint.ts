/** StartStream step: apply the stream's startover window and key rotation to its origin endpoint. */
import { type MediaPackageClient, UpdateOriginEndpointCommand } from '@aws-sdk/client-mediapackage';
import { MissingResource } from '../../core/errors.js';
import { hlsPackage } from '../../core/origin-endpoint.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export async function updateOriginEndpoint(
  deps: { mediapackage: MediaPackageClient; store: StreamStore; speke: ReturnType<typeof settings.speke> },
  input: StreamTaskInput,
): Promise<{ startover_window_seconds: number }> {
  const record = await deps.store.get(input.stream_id);
  if (!record.package_endpoint_id) throw new MissingResource(`stream ${record.id} has no origin endpoint`);
  await deps.mediapackage.send(
    new UpdateOriginEndpointCommand({
      Id: record.package_endpoint_id,
      ManifestName: 'index',
      // Omitted = startover disabled (MediaPackage API: "If not specified, startover playback will
      // be disabled"); it has no documented meaning for 0, so 0 is never sent.
      ...(record.startover_window_seconds > 0
        ? { StartoverWindowSeconds: record.startover_window_seconds }
        : {}),
      HlsPackage: hlsPackage(record, deps.speke),
    }),
  );
  return { startover_window_seconds: record.startover_window_seconds };
}

export const handler = taskHandler('update-origin-endpoint', (input: StreamTaskInput) =>
  updateOriginEndpoint(
    { mediapackage: clients.mediapackage(), store: clients.store(), speke: settings.speke() },
    input,
  ),
);
