/**
 * The key pair every local endpoint accepts, and files that hold secrets. The pair is generated
 * once per data directory and kept in `<dataDir>/aws-credentials`, in the AWS shared credentials
 * file format (profile `local`), so the AWS CLI can use it as is:
 * `AWS_SHARED_CREDENTIALS_FILE=<dataDir>/aws-credentials AWS_PROFILE=local aws ...`.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const CREDENTIALS_FILE = 'aws-credentials';
export const CREDENTIALS_PROFILE = 'local';

/** A fresh pair from the CSPRNG, shaped like AWS's (20-character id, 40-character secret). */
export function newCredentials(): LocalCredentials {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

/** The data directory's pair, created on first use. */
export function localCredentials(dataDir: string): LocalCredentials {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const accessKeyId = /^aws_access_key_id\s*=\s*(\S+)/m.exec(text)?.[1];
    const secretAccessKey = /^aws_secret_access_key\s*=\s*(\S+)/m.exec(text)?.[1];
    if (!accessKeyId || !secretAccessKey)
      throw new Error(`${file} holds no key pair: delete it to make a new one`);
    return { accessKeyId, secretAccessKey };
  }
  const credentials = newCredentials();
  writeSecretFile(
    file,
    `[${CREDENTIALS_PROFILE}]\naws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\n`,
  );
  return credentials;
}

/** Writes a file only its owner may read (mode 0600), also when it already existed with another mode. */
export function writeSecretFile(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}
