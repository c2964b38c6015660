/**
 * The health and thumbnail routes' clients, in their own module so that the API's entry chunk
 * holds neither the MediaLive nor the CloudWatch client (api/lazy.ts).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { observed } from '../core/aws-call-observer.js';
import type { MediaReaders } from './route.js';

export function mediaReaders(): MediaReaders {
  return { medialive: observed(new MediaLiveClient({})), cloudwatch: observed(new CloudWatchClient({})) };
}
