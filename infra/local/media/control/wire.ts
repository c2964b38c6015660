/**
 * Identifiers shaped like the real ones, helpers MediaLive and MediaPackage share, and the media
 * plane's view of a channel in the SDK's shape.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { AwsError } from '../../aws-server/aws-error.js';
import type { Fields } from '../../aws-server/fields.js';
import type { LocalChannel } from '../contracts.js';
import type { ChannelRecord } from './state.js';

/** MediaLive's and MediaPackage's error for a resource that does not exist. */
export const notFound = (what: string) => () =>
  new AwsError('NotFoundException', `${what} does not exist.`, 404);

export const tagsOf = (fields: Fields) => (fields.object('tags')?.raw ?? {}) as Record<string, string>;

/** MediaLive channel, input and input security group ids are 7-digit numbers. */
export function newMediaLiveId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = String(randomInt(1_000_000, 10_000_000));
    if (!taken(id)) return id;
  }
}

/** MediaPackage v1 ARNs and endpoint URLs carry 32 lowercase hex digits. */
export const newHexHash = (): string => randomBytes(16).toString('hex');

/** CloudFront ETags look like `E2QWRUHAPOMQZL`. */
export const newETag = (): string => `E${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`;

export function attachedInputIds(channel: ChannelRecord): string[] {
  return channel.settings.inputAttachments.flatMap((a) => (typeof a.inputId === 'string' ? [a.inputId] : []));
}

export function toLocalChannel(channel: ChannelRecord): LocalChannel {
  const { settings } = channel;
  return {
    id: channel.id,
    arn: channel.arn,
    name: settings.name ?? '',
    channelClass: settings.channelClass,
    encoderSettings: sdkShape(settings.encoderSettings) as LocalChannel['encoderSettings'],
    destinations: sdkShape(settings.destinations) as LocalChannel['destinations'],
    inputIds: attachedInputIds(channel),
  };
}

/**
 * MediaLive's wire names are its member names with a lowercase first letter (true across its whole
 * botocore model), so the SDK shape is recovered by uppercasing each key's first letter. `tags` is
 * the only map member in channels and destinations: its keys are the user's and stay as they are.
 */
function sdkShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sdkShape);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      key.charAt(0).toUpperCase() + key.slice(1),
      key === 'tags' ? member : sdkShape(member),
    ]),
  );
}
