import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorized, createLocalApi } from '../../../infra/local/api-server.js';

const TOKEN = 'xG3_-kq0Vt9s2mPp8cLrYwZ1nE4fHbDa';

describe('authorized', () => {
  it.each([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER ${TOKEN}`, `BeArEr ${TOKEN}`, `Bearer   ${TOKEN}`])(
    'accepts %j: the scheme is case-insensitive (RFC 9110 section 11.1)',
    (header) => {
      expect(authorized(header, TOKEN)).toBe(true);
    },
  );

  it.each([
    [undefined],
    [''],
    [TOKEN],
    [`Bearer`],
    [`Bearer `],
    [`Basic ${TOKEN}`],
    [`Bearer ${TOKEN.toLowerCase()}`],
    [`Bearer ${TOKEN}x`],
    [`Bearer ${TOKEN.slice(0, -1)}`],
    [`Bearer ${TOKEN} ${TOKEN}`],
    [`Bearer${TOKEN}`],
    [`xBearer ${TOKEN}`],
  ])('refuses %j: the token itself is compared exactly', (header) => {
    expect(authorized(header, TOKEN)).toBe(false);
  });

  it('never accepts an empty token', () => {
    expect(authorized('Bearer ', '')).toBe(false);
    expect(authorized('Bearer', '')).toBe(false);
  });
});

describe('the local API server', () => {
  let url: string;
  const events: APIGatewayProxyEvent[] = [];
  const server = createLocalApi({
    token: TOKEN,
    handler: async (event) => {
      events.push(event);
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '[]' };
    },
    health: async () => ({ ok: true, details: {} }),
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes a request with a lower-case bearer scheme to the API', async () => {
    const response = await fetch(`${url}/streams`, { headers: { authorization: `bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(events.at(-1)?.path).toBe('/streams');
  });

  it('answers 401 to a wrong token, whatever the scheme case', async () => {
    const before = events.length;
    const response = await fetch(`${url}/streams`, { headers: { authorization: 'bearer wrong' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(events.length).toBe(before);
  });
});
