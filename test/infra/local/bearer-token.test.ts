/** The bearer token check of the local API and of the console's routes (infra/local/app.ts). */
import { describe, expect, it } from 'vitest';
import { authorized } from '../../../infra/local/console-server.js';

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
