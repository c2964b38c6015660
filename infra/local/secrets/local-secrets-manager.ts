/**
 * The local Secrets Manager: what the app calls (CreateSecret, DeleteSecret) and what MediaLive does
 * with a secret (reads it: `read`, in process, for the local SRT listener), over the AWS JSON 1.1
 * protocol (`X-Amz-Target: secretsmanager.<Operation>`), also GetSecretValue for the AWS CLI.
 * Secrets persist in `<dataDir>/secrets.json`, owner only: they hold SRT passphrases.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { localArn } from '../aws-server/arn.js';
import { AwsError, found } from '../aws-server/aws-error.js';
import { writeSecretFile } from '../aws-server/credentials.js';
import { Fields } from '../aws-server/fields.js';
import { jsonApi } from '../aws-server/protocols.js';
import type { AwsApi } from '../aws-server/server.js';

interface Secret {
  arn: string;
  name: string;
  value: string;
  versionId: string;
  token?: string;
  createdAt: string;
}

export interface LocalSecretsManager {
  api: AwsApi;
  /** The value of a secret by ARN or name (MediaLive reading its input's passphrase). */
  read(secretId: string): string | undefined;
  close(): Promise<void>;
}

const invalid = (message: string) => new AwsError('InvalidParameterException', message);
/** Secrets Manager appends six random characters to a secret's name in its ARN. */
const suffix = () => randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);

export function createLocalSecretsManager(options: {
  dataDir: string;
  region?: string;
  accountId?: string;
}): LocalSecretsManager {
  mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'secrets.json');
  // No prototype: a secret named `constructor` or `__proto__` is one like any other.
  const secrets: Record<string, Secret> = Object.create(null);
  try {
    Object.assign(secrets, JSON.parse(readFileSync(file, 'utf8')) as Record<string, Secret>);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const save = () => writeSecretFile(file, JSON.stringify(secrets));
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? '000000000000';
  const find = (id: string) => secrets[id] ?? Object.values(secrets).find((s) => s.arn === id);
  const secretOf = (input: Record<string, unknown>) => {
    const id = new Fields(input, invalid).string('SecretId', { required: true });
    const missing = `Secrets Manager can't find the specified secret ${id}.`;
    return found(find(id), () => new AwsError('ResourceNotFoundException', missing));
  };

  const api = jsonApi('json-1.1', 'secretsmanager.', {
    CreateSecret(input) {
      const fields = new Fields(input, invalid);
      const name = fields.string('Name', {
        required: true,
        min: 1,
        max: 512,
        pattern: /^[A-Za-z0-9/_+=.@-]+$/,
      });
      const value = fields.string('SecretString', { required: true, min: 1, max: 65_536 });
      const token = fields.string('ClientRequestToken', { min: 32, max: 64 });
      fields.string('Description', { max: 2048 });
      const existing = secrets[name];
      if (existing) {
        // A retried create with the same token and value is answered as the first was.
        if (token && existing.token === token && existing.value === value)
          return { ARN: existing.arn, Name: name, VersionId: existing.versionId };
        throw new AwsError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const secret: Secret = {
        arn: localArn('secretsmanager', region, account, `secret:${name}-${suffix()}`),
        name,
        value,
        versionId: token ?? randomBytes(16).toString('hex'),
        createdAt: new Date().toISOString(),
        ...(token ? { token } : {}),
      };
      secrets[name] = secret;
      save();
      return { ARN: secret.arn, Name: name, VersionId: secret.versionId };
    },
    DeleteSecret(input) {
      const secret = secretOf(input);
      // Deleted at once: local mode keeps no recovery window (ForceDeleteWithoutRecovery or not).
      delete secrets[secret.name];
      save();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: Date.now() / 1000 };
    },
    GetSecretValue(input) {
      const secret = secretOf(input);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.parse(secret.createdAt) / 1000,
      };
    },
  });

  return {
    api,
    read: (id) => find(id)?.value,
    async close() {},
  };
}
