/**
 * Requests no client should send, to the local app's API port and to the local endpoints of the same
 * process: each is answered with a client error, and the process keeps serving.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApp } from '../../infra/local/app.js';
import { startTestApp } from '../support/local-app.js';
import { requestTo, send, signer } from '../support/sigv4.js';

let app: LocalApp & { dataDir: string };

beforeAll(async () => {
  app = await startTestApp();
}, 120_000);
afterAll(async () => {
  await app?.close();
});

/** A GET of `target` exactly as given (fetch would normalize it). */
function rawGet(base: string, target: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path: target }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('hostile requests to local mode', () => {
  it('answers a request target no URL can hold (`//`) on the API port with 400, and keeps serving', async () => {
    expect(await rawGet(app.apiUrl, '//')).toBe(400);
    expect(await rawGet(app.apiUrl, '/health')).toBe(200);
  });

  it('keeps DynamoDB serving after MediaLive is asked to delete an input named __proto__', async () => {
    const medialive = await signer(app.stack.credentials, 'medialive').sign(
      requestTo(`${app.endpoints.medialive}/prod/inputs/__proto__`, 'DELETE'),
    );
    expect((await send(medialive)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // past the input's deleteMs
    const res = await fetch(`${app.apiUrl}/streams`, { headers: { authorization: 'Bearer test-token' } });
    expect(res.status).toBe(200);
  });
});
