import { describe, expect, it } from 'vitest';
import { serviceOf } from '../../../../../infra/local/media/control/control-plane.js';
import { paginate } from '../../../../../infra/local/media/control/pagination.js';
import { RequestThrottle } from '../../../../../infra/local/media/control/request-throttle.js';
import { matchRoute, type Route } from '../../../../../infra/local/media/control/rest-routes.js';
import { mediaLiveErrors } from '../../../../../infra/local/media/control/service-error.js';

const signed = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

describe('service routing', () => {
  it('routes by the SigV4 credential scope whatever the path', () => {
    expect(serviceOf(signed('medialive'), '/channels')).toBe('medialive');
    expect(serviceOf(signed('mediapackage'), '/channels')).toBe('mediapackage');
    expect(serviceOf(signed('cloudfront'), '/2020-05-31/distribution')).toBe('cloudfront');
  });

  it('refuses a credential scope of another service', () => {
    expect(serviceOf(signed('s3'), '/prod/channels')).toBeUndefined();
  });

  it('routes unsigned requests by path', () => {
    expect(serviceOf(undefined, '/prod/channels/1234567')).toBe('medialive');
    expect(serviceOf(undefined, '/channels/live-1')).toBe('mediapackage');
    expect(serviceOf(undefined, '/origin_endpoints')).toBe('mediapackage');
    expect(serviceOf(undefined, '/2020-05-31/distribution/E1/config')).toBe('cloudfront');
    expect(serviceOf(undefined, '/somewhere')).toBeUndefined();
  });
});

describe('route matching', () => {
  const route = (method: string, path: string): Route => ({
    operation: path,
    method,
    path,
    handler: () => ({ status: 200 }),
  });
  const routes = [
    route('GET', '/prod/channels'),
    route('GET', '/prod/channels/{channelId}'),
    route('POST', '/prod/channels/{channelId}/start'),
  ];

  it('matches method and path template and decodes parameters', () => {
    expect(matchRoute(routes, 'GET', '/prod/channels/12%2034')?.params).toEqual({ channelId: '12 34' });
    expect(matchRoute(routes, 'POST', '/prod/channels/1/start')?.route.path).toBe(
      '/prod/channels/{channelId}/start',
    );
  });

  it('matches nothing for another method, an empty parameter or a longer path', () => {
    expect(matchRoute(routes, 'DELETE', '/prod/channels/1')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/prod/channels/')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/prod/channels/1/extra')).toBeUndefined();
  });
});

describe('request throttle', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    let now = 0;
    const throttle = new RequestThrottle({ requestsPerSecond: 2, burst: 3 }, () => now);
    expect([throttle.tryTake(), throttle.tryTake(), throttle.tryTake(), throttle.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now = 500;
    expect([throttle.tryTake(), throttle.tryTake()]).toEqual([true, false]);
  });
});

describe('pagination', () => {
  const limits = { defaultSize: 2, maxSize: 3 };
  it('pages with opaque next tokens until the end', () => {
    const first = paginate([1, 2, 3, 4, 5], null, null, mediaLiveErrors.badRequest, limits);
    expect(first.items).toEqual([1, 2]);
    const second = paginate(
      [1, 2, 3, 4, 5],
      '3',
      first.nextToken ?? null,
      mediaLiveErrors.badRequest,
      limits,
    );
    expect(second).toEqual({ items: [3, 4, 5] });
  });

  it('refuses a page size beyond the limit and a token it did not issue', () => {
    expect(() => paginate([1], '4', null, mediaLiveErrors.badRequest, limits)).toThrow(/maxResults/);
    expect(() => paginate([1], null, 'garbage!', mediaLiveErrors.badRequest, limits)).toThrow(/nextToken/);
  });
});
