/** GoLive: put the stream on the live distribution and record its CDN URL. */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { associate, type LiveDistribution } from '../../core/live-distribution.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export async function goLive(
  deps: { cloudfront: CloudFrontClient; store: StreamStore; distribution: LiveDistribution | undefined },
  input: StreamTaskInput,
): Promise<{ viewer_endpoint_cloudfront: string }> {
  const record = await deps.store.get(input.stream_id);
  const out = await associate(deps.cloudfront, deps.distribution, record);
  await deps.store.update(record, {
    cloudfront_associated: true,
    viewer_endpoint_cloudfront: out.viewer_endpoint_cloudfront,
    error: null,
  });
  return out;
}

export const handler = taskHandler('go-live', (input: StreamTaskInput) =>
  goLive(
    { cloudfront: clients.cloudfront(), store: clients.store(), distribution: settings.liveDistribution() },
    input,
  ),
);
