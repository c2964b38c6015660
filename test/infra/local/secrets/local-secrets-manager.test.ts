import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCredentials } from '../../../../infra/local/aws-server/credentials.js';
import { type Served, serveAws } from '../../../../infra/local/aws-server/server.js';
import { createLocalSecretsManager } from '../../../../infra/local/secrets/local-secrets-manager.js';

const credentials = newCredentials();
const dataDir = mkdtempSync(path.join(tmpdir(), 'secrets-'));
let served: Served;
let client: SecretsManagerClient;

beforeAll(async () => {
  served = await serveAws(createLocalSecretsManager({ dataDir }).api, { port: 0, credentials });
  client = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: served.url,
    credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await served.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local Secrets Manager', () => {
  it.each(['constructor', 'toString', '__proto__'])(
    'finds no secret %s that was never created, and creates it as any other name',
    async (name) => {
      for (const command of [
        new GetSecretValueCommand({ SecretId: name }),
        new DeleteSecretCommand({ SecretId: name }),
      ]) {
        await expect(client.send(command as GetSecretValueCommand)).rejects.toThrow(
          ResourceNotFoundException,
        );
      }
      await client.send(new CreateSecretCommand({ Name: name, SecretString: `value of ${name}` }));
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: name }));
      expect(SecretString).toBe(`value of ${name}`);
    },
  );

  it('deletes only the secret named, whatever the name', async () => {
    await client.send(new CreateSecretCommand({ Name: 'Object', SecretString: 'kept' }));
    await expect(client.send(new DeleteSecretCommand({ SecretId: 'hasOwnProperty' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: 'Object' }));
    expect(SecretString).toBe('kept');
  });
});
