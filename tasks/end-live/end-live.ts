/** EndLive (and DeleteStream's first step): take the stream off the live distribution. */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { dissociate, type LiveDistribution } from '../../core/live-distribution.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export async function endLive(
  deps: { cloudfront: CloudFrontClient; store: StreamStore; distribution: LiveDistribution | undefined },
  input: StreamTaskInput,
): Promise<{ cloudfront_associated: boolean }> {
  const record = await deps.store.get(input.stream_id);
  await dissociate(deps.cloudfront, deps.distribution, record);
  if (record.cloudfront_associated || record.viewer_endpoint_cloudfront) {
    await deps.store.update(record, { cloudfront_associated: false, viewer_endpoint_cloudfront: null });
  }
  return { cloudfront_associated: false };
}

export const handler = taskHandler('end-live', (input: StreamTaskInput) =>
  endLive(
    { cloudfront: clients.cloudfront(), store: clients.store(), distribution: settings.liveDistribution() },
    input,
  ),
);
