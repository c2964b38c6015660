/** Identifiers shaped like the real ones, so code and logs that parse them behave as on AWS. */
import { randomBytes, randomInt } from 'node:crypto';

/** MediaLive channel, input and input security group ids are 7-digit numbers. */
export function newMediaLiveId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = String(randomInt(1_000_000, 10_000_000));
    if (!taken(id)) return id;
  }
}

/** MediaPackage v1 ARNs and endpoint URLs carry 32 lowercase hex digits. */
export function newHexHash(): string {
  return randomBytes(16).toString('hex');
}

const ETAG_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** CloudFront ETags look like `E2QWRUHAPOMQZL`. */
export function newETag(): string {
  let tag = 'E';
  for (let i = 0; i < 13; i++) tag += ETAG_ALPHABET[randomInt(ETAG_ALPHABET.length)];
  return tag;
}
