import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../../../infra/local/aws-server/aws-error.js';
import { newCredentials } from '../../../../infra/local/aws-server/credentials.js';
import { jsonApi } from '../../../../infra/local/aws-server/protocols.js';
import { type Served, serveAws } from '../../../../infra/local/aws-server/server.js';
import { requestTo, send, signer } from '../../../support/sigv4.js';

const credentials = newCredentials();
const region = 'us-east-1';
const calls: unknown[] = [];
let served: Served;

beforeAll(async () => {
  served = await serveAws(
    jsonApi('json-1.0', 'AWSStepFunctions.', {
      ListExecutions: (input) => {
        calls.push(input);
        if (input.stateMachineArn === 'unknown')
          throw new AwsError('StateMachineDoesNotExist', 'no such machine');
        return { executions: [] };
      },
    }),
    { port: 0, credentials },
  );
});
afterAll(() => served.close());

const sfn = (keys = credentials) =>
  new SFNClient({ region, endpoint: served.url, credentials: keys, maxAttempts: 1 });
const listExecutions = (body: string, host?: string) =>
  requestTo(
    served.url,
    'POST',
    {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AWSStepFunctions.ListExecutions',
      ...(host ? { host } : {}),
    },
    body,
  );

describe('the local AWS server', () => {
  it('answers a request the SDK signed with the local key pair', async () => {
    await expect(
      sfn().send(new ListExecutionsCommand({ stateMachineArn: 'machine' })),
    ).resolves.toMatchObject({
      executions: [],
    });
  });

  it('answers service errors in the protocol, as the SDK maps them to its exceptions', async () => {
    await expect(sfn().send(new ListExecutionsCommand({ stateMachineArn: 'unknown' }))).rejects.toMatchObject(
      {
        name: 'StateMachineDoesNotExist',
        message: 'no such machine',
      },
    );
  });

  it('refuses an unsigned request with 403 before the service sees it', async () => {
    const before = calls.length;
    const res = await send(listExecutions('{}'));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    expect(calls.length).toBe(before);
  });

  it('refuses a request signed with another secret or another key', async () => {
    const wrongSecret = { ...credentials, secretAccessKey: newCredentials().secretAccessKey };
    await expect(
      sfn(wrongSecret).send(new ListExecutionsCommand({ stateMachineArn: 'm' })),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      sfn(newCredentials()).send(new ListExecutionsCommand({ stateMachineArn: 'm' })),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('refuses a signed request whose body was changed after signing', async () => {
    const signed = await signer(credentials, 'states').sign(listExecutions('{"stateMachineArn":"a"}'));
    expect((await send(signed)).status).toBe(200);
    const tampered = await send(signed, '{"stateMachineArn":"b"}');
    expect(tampered.status).toBe(403);
    expect(JSON.parse(tampered.text)).toMatchObject({ __type: 'InvalidSignatureException' });
  });

  it('refuses a signed request whose signed headers were changed', async () => {
    const signed = await signer(credentials, 'states').sign(listExecutions('{}'));
    signed.headers['x-amz-target'] = 'AWSStepFunctions.StartExecution';
    expect((await send(signed)).status).toBe(403);
  });

  it('refuses a request signed more than 15 minutes ago', async () => {
    const stale = await signer(credentials, 'states').sign(listExecutions('{}'), {
      signingDate: new Date(Date.now() - 16 * 60_000),
    });
    const res = await send(stale);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).message).toMatch(/expired/i);
  });

  it('refuses a request naming another host (DNS rebinding), however well signed', async () => {
    const port = new URL(served.url).port;
    for (const host of [`attacker.example:${port}`, '127.0.0.1:1', `127.0.0.1.nip.io:${port}`]) {
      const signed = await signer(credentials, 'states').sign(listExecutions('{}', host));
      const res = await send(signed);
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.text)).toMatchObject({ __type: 'AccessDeniedException' });
    }
  });

  it('answers a signed request for a target no URL can hold (`//`) with a client error', async () => {
    const request = { ...listExecutions('{}'), path: '//' };
    const res = await send(await signer(credentials, 'states').sign(request));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('accepts localhost as the host name', async () => {
    const events = new EventBridgeClient({
      region,
      endpoint: served.url.replace('127.0.0.1', 'localhost'),
      credentials,
      maxAttempts: 1,
    });
    // Signed and accepted: the refusal is that this test server does not implement PutEvents.
    await expect(events.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
    });
  });
});
