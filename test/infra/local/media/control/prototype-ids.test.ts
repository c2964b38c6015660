/**
 * Ids from request paths are looked up in the control plane's records: an id named like a member of
 * Object.prototype must find nothing (404), never the prototype, which the lifecycle would then change
 * for every object of the process (dynalite, in the same process, then fails on any request).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestTo, send, signer } from '../../../../support/sigv4.js';
import { CREDENTIALS, type Harness, sleep, startHarness } from './control-plane-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const signed = async (service: string, method: string, path: string, body?: string) =>
  send(
    await signer(CREDENTIALS, service).sign(
      requestTo(`${h.url}${path}`, method, { 'content-type': 'application/json' }, body),
    ),
  );

describe('ids named like Object.prototype members', () => {
  it.each(['__proto__', 'constructor', 'toString'])(
    'are unknown resources to MediaLive, MediaPackage and CloudFront: %s',
    async (id) => {
      for (const [service, method, path, body] of [
        ['medialive', 'GET', `/prod/channels/${id}`],
        ['medialive', 'DELETE', `/prod/channels/${id}`],
        ['medialive', 'POST', `/prod/channels/${id}/start`],
        ['medialive', 'GET', `/prod/inputs/${id}`],
        ['medialive', 'DELETE', `/prod/inputs/${id}`],
        ['mediapackage', 'GET', `/channels/${id}`],
        ['mediapackage', 'DELETE', `/channels/${id}`],
        ['mediapackage', 'GET', `/origin_endpoints/${id}`],
        ['mediapackage', 'PUT', `/origin_endpoints/${id}`, '{}'],
        ['mediapackage', 'DELETE', `/origin_endpoints/${id}`],
        ['cloudfront', 'GET', `/2020-05-31/distribution/${id}/config`],
      ] as const) {
        const res = await signed(service, method, path, body);
        expect(res.status, `${method} ${path}`).toBe(404);
      }
      // The lifecycle's timers (DELETING → DELETED) have had their time.
      await sleep(100);
      expect(Object.keys(Object.prototype)).toEqual([]);
    },
  );

  it('can be created as any other id', async () => {
    const res = await signed('mediapackage', 'POST', '/channels', JSON.stringify({ id: 'constructor' }));
    expect(res.status).toBe(200);
    expect((await signed('mediapackage', 'GET', '/channels/constructor')).status).toBe(200);
  });
});
