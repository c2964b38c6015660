import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CREDENTIALS_FILE,
  localCredentials,
  newCredentials,
  writeSecretFile,
} from '../../../../infra/local/aws-server/credentials.js';

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'credentials-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the local key pair', () => {
  it('is generated once per data directory, kept readable by its owner only, and read back', () => {
    const dir = newDir();
    const first = localCredentials(dir);
    const file = path.join(dir, CREDENTIALS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`aws_secret_access_key = ${first.secretAccessKey}`);
    expect(localCredentials(dir)).toEqual(first);
    expect(localCredentials(newDir())).not.toEqual(first);
  });

  it('comes from the CSPRNG: no two pairs alike, AWS-shaped', () => {
    const pairs = Array.from({ length: 50 }, newCredentials);
    expect(new Set(pairs.map((p) => p.secretAccessKey)).size).toBe(50);
    for (const pair of pairs) {
      expect(pair.accessKeyId).toMatch(/^AKIA[0-9A-F]{16}$/);
      expect(pair.secretAccessKey).toHaveLength(40);
    }
  });

  it('refuses a credentials file without a pair instead of making a new one silently', () => {
    const dir = newDir();
    writeFileSync(path.join(dir, CREDENTIALS_FILE), '[local]\n');
    expect(() => localCredentials(dir)).toThrow(/no key pair/);
  });
});

describe('secret files', () => {
  it('are written owner-only, also over a file that was readable by others', () => {
    const file = path.join(newDir(), 'token');
    writeFileSync(file, 'old', { mode: 0o644 });
    writeSecretFile(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });
});
