import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCredentials } from '../../../../infra/local/aws-server/credentials.js';
import type { Served } from '../../../../infra/local/aws-server/server.js';
import { serveDynalite, serveS3rver } from '../../../../infra/local/aws-server/stores.js';
import { presignedGet, requestTo, send, signer } from '../../../support/sigv4.js';

const credentials = newCredentials();
const dir = mkdtempSync(path.join(tmpdir(), 'stores-'));
let s3Server: Served;
let dynamo: Served;
let s3: S3Client;

beforeAll(async () => {
  s3Server = await serveS3rver({
    port: 0,
    credentials,
    directory: path.join(dir, 's3'),
    buckets: ['archive'],
  });
  dynamo = await serveDynalite({ port: 0, credentials });
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: s3Server.url,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: 'clip.m3u8', Body: '#EXTM3U\n' }));
});
afterAll(async () => {
  s3.destroy();
  await s3Server.close();
  await dynamo.close();
  rmSync(dir, { recursive: true, force: true });
});

const objectUrl = (key: string) => `${s3Server.url}/archive/${key}`;

describe('the local S3 (s3rver) behind the signature check', () => {
  it('stores and returns objects for the SDK signing with the local key pair, streamed bodies included', async () => {
    const file = path.join(dir, 'segment.ts');
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'archive',
        Key: 'a/segment.ts',
        Body: createReadStream(file),
        ContentLength: 3 * 1024 * 1024,
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'archive', Key: 'a/segment.ts' }));
    expect((await got.Body?.transformToByteArray())?.length).toBe(3 * 1024 * 1024);
    const playlist = await s3.send(new GetObjectCommand({ Bucket: 'archive', Key: 'clip.m3u8' }));
    expect(await playlist.Body?.transformToString()).toBe('#EXTM3U\n');
  });

  it('refuses anonymous reads, listings, writes and deletes', async () => {
    for (const [method, url] of [
      ['GET', objectUrl('clip.m3u8')],
      ['GET', `${s3Server.url}/archive`],
      ['PUT', objectUrl('evil.txt')],
      ['DELETE', objectUrl('clip.m3u8')],
    ] as const) {
      const res = await fetch(url, { method, ...(method === 'PUT' ? { body: 'x' } : {}) });
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    }
    const still = await s3.send(new GetObjectCommand({ Bucket: 'archive', Key: 'clip.m3u8' }));
    expect(await still.Body?.transformToString()).toBe('#EXTM3U\n');
  });

  it('refuses a browser form POST upload', async () => {
    const form = new FormData();
    form.append('key', 'posted.txt');
    form.append('file', new Blob(['x']), 'posted.txt');
    const res = await fetch(`${s3Server.url}/archive`, { method: 'POST', body: form });
    expect(res.status).toBe(403);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'archive', Key: 'posted.txt' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('refuses a PUT whose body is not the one signed', async () => {
    const request = requestTo(objectUrl('signed.txt'), 'PUT', {}, 'the signed body');
    const signed = await signer(credentials, 's3').sign(request);
    const res = await send(signed, 'another body!!!');
    expect(res.status).toBe(403);
    expect(res.text).toContain('SignatureDoesNotMatch');
  });

  it('serves a presigned GET, and refuses one presigned with another secret or expired', async () => {
    const ok = await fetch(await presignedGet(credentials, objectUrl('clip.m3u8'), 60));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('#EXTM3U\n');
    const otherSecret = { ...credentials, secretAccessKey: newCredentials().secretAccessKey };
    const forged = await fetch(await presignedGet(otherSecret, objectUrl('clip.m3u8'), 60));
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('SignatureDoesNotMatch');
    const expired = await fetch(
      await presignedGet(credentials, objectUrl('clip.m3u8'), 60, new Date(Date.now() - 120_000)),
    );
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/);
  });
});

describe('the local S3 keeps to its directory', () => {
  const signedS3 = async (method: string, path: string, headers: Record<string, string> = {}, body = '') =>
    send(await signer(credentials, 's3').sign(requestTo(`${s3Server.url}${path}`, method, headers, body)));

  it('refuses . and .. as bucket or key segments, encoded or not: nothing outside is written, read or deleted', async () => {
    const outside = path.join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'kept.txt'), 'kept');
    for (const bucket of ['..%2Foutside', '%2E%2E%2Foutside', 'archive%2F..%2F..%2Foutside']) {
      const res = await signedS3('DELETE', `/${bucket}`);
      expect(res.status, bucket).toBe(400);
      expect(res.text).toContain('<Code>InvalidArgument</Code>');
    }
    expect(readFileSync(path.join(outside, 'kept.txt'), 'utf8')).toBe('kept');
    for (const Key of ['../../escaped', 'a/../../../escaped', './x']) {
      await expect(
        s3.send(new PutObjectCommand({ Bucket: 'archive', Key, Body: 'x' })),
      ).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    }
    expect(readdirSync(dir).filter((name) => name.startsWith('escaped'))).toEqual([]);
    const copy = await signedS3('PUT', '/archive/copy', { 'x-amz-copy-source': '/archive/../../x' });
    expect(copy.status).toBe(400);
  });

  it('answers an upload id it never issued with NoSuchUpload, writing nothing', async () => {
    await expect(
      s3.send(
        new UploadPartCommand({
          Bucket: 'archive',
          Key: 'k',
          UploadId: '../../../parts',
          PartNumber: 7,
          Body: 'x',
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    expect(readdirSync(dir)).not.toContain('parts');
  });

  it('answers malformed percent-encoding with 400, never 500', async () => {
    for (const [method, url, headers] of [
      ['PUT', '/archive/%E0%A4%A', { 'if-none-match': '*' }],
      ['PUT', '/archive/copy', { 'x-amz-copy-source': '/archive/%E0%A4%A' }],
      ['GET', '/archive/%E0%A4%A', {}],
    ] as const) {
      const res = await signedS3(method, url, headers, method === 'PUT' ? 'x' : '');
      expect(res.status, `${method} ${url}`).toBe(400);
      expect(res.text).toContain('<Code>InvalidURI</Code>');
    }
  });
});

describe('the local DynamoDB (dynalite) behind the signature check', () => {
  it('answers the SDK signing with the local key pair and refuses an unsigned request', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.url, credentials });
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    client.destroy();
    const res = await fetch(dynamo.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
