/**
 * Local mode's settings and how a failed start reads: one line naming the setting and the fix, and
 * a non-zero exit, for `npm start` and `npm run demo` alike.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PORT_VARIABLES, readLocalSettings, startupFailure } from '../../../infra/local/settings.js';
import { DEFAULT_PORTS } from '../../../infra/local/stack.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('local settings', () => {
  it('reads every port variable, the same for npm start and npm run demo', () => {
    const env = Object.fromEntries(Object.values(PORT_VARIABLES).map((v, i) => [v, String(20_000 + i)]));
    const settings = readLocalSettings({ ...env, DATA_DIR: '/tmp/x' });
    expect(settings.dataDir).toBe('/tmp/x');
    expect(settings.apiPort).toBe(20_000);
    expect(Object.keys(settings.ports).sort()).toEqual(Object.keys(DEFAULT_PORTS).sort());
    expect(new Set([settings.apiPort, ...Object.values(settings.ports)]).size).toBe(
      Object.keys(PORT_VARIABLES).length,
    );
    expect(PORT_VARIABLES.origin).toBe('HLS_PORT');
    expect(PORT_VARIABLES.s3).toBe('S3_PORT');
  });

  it('names the variable of a bad port value', () => {
    expect(() => readLocalSettings({ S3_PORT: 'eighty' })).toThrow('S3_PORT must be a port number');
  });

  it('explains a port in use and an unwritable data folder in one line, with the setting to change', () => {
    const settings = readLocalSettings({ S3_PORT: '14568', DATA_DIR: '/data' });
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:14568'), {
      code: 'EADDRINUSE',
      syscall: 'listen',
      port: 14568,
    });
    expect(startupFailure(inUse, settings)).toBe(
      'port 14568 (S3_PORT) is in use: stop what uses it, or set S3_PORT to a free port (0 picks one)',
    );
    const denied = Object.assign(new Error("EPERM: operation not permitted, mkdir '/data'"), {
      code: 'EPERM',
      syscall: 'mkdir',
      path: '/data',
    });
    expect(startupFailure(denied, settings)).toBe(
      'cannot write /data (EPERM): set DATA_DIR to a folder you can write (now /data)',
    );
  });
});

describe('npm start with a port already taken', () => {
  it('prints one line naming the variable and exits non-zero', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'local-start-'));
    dataDirs.push(dataDir);
    // As a user's shell has it: the SDK's Node notice is not silenced from outside.
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _, ...shell } = process.env;
    const env = {
      ...shell,
      DATA_DIR: dataDir,
      ...Object.fromEntries(Object.values(PORT_VARIABLES).map((v) => [v, '0'])),
      S3_PORT: String(taken),
    };
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], { cwd: ROOT, env });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      const lines = stderr.split('\n').filter(Boolean);
      expect(code).toBe(1);
      expect(lines).toEqual([
        `port ${taken} (S3_PORT) is in use: stop what uses it, or set S3_PORT to a free port (0 picks one)`,
      ]);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
