/**
 * Local mode's settings from the environment (`npm start` and `npm run demo` read the same ones),
 * and what a failed start says: one line naming the setting to change and how, never a stack trace.
 */
import * as path from 'node:path';
import { DEFAULT_PORTS } from './stack.js';

export type PortName = keyof typeof DEFAULT_PORTS | 'api';

/** The variable of each port: PORT for the API, HLS_PORT for the origin, <SERVICE>_PORT otherwise. */
export const PORT_VARIABLES: Record<PortName, string> = {
  api: 'PORT',
  ...(Object.fromEntries(
    Object.keys(DEFAULT_PORTS).map((name) => [
      name,
      `${name === 'origin' ? 'HLS' : name.toUpperCase()}_PORT`,
    ]),
  ) as Record<keyof typeof DEFAULT_PORTS, string>),
};

export interface LocalSettings {
  dataDir: string;
  apiPort: number;
  ports: Record<keyof typeof DEFAULT_PORTS, number>;
}

export class SettingError extends Error {}

export function readLocalSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const port = (name: PortName, fallback: number) => {
    const variable = PORT_VARIABLES[name];
    const value = env[variable];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      throw new SettingError(
        `${variable} must be a port number (0-65535), not "${value}": set it to a free port`,
      );
    }
    return n;
  };
  return {
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    apiPort: port('api', 3000),
    ports: Object.fromEntries(
      Object.entries(DEFAULT_PORTS).map(([name, fallback]) => [name, port(name as PortName, fallback)]),
    ) as LocalSettings['ports'],
  };
}

/** One line for a start-up failure: which setting, and the fix. */
export function startupFailure(error: unknown, settings: LocalSettings | undefined): string {
  if (error instanceof SettingError || !settings) return (error as Error).message ?? String(error);
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string };
  if ((e.code === 'EADDRINUSE' || e.code === 'EACCES') && e.syscall === 'listen') {
    const name = portNameOf(e.port, settings);
    const variable = name ? PORT_VARIABLES[name] : 'the port variables';
    const what = e.code === 'EADDRINUSE' ? 'is in use' : 'may not be opened by this user';
    return `port ${e.port ?? '?'} (${variable}) ${what}: stop what uses it, or set ${variable} to a free port (0 picks one)`;
  }
  if (
    ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC'].includes(e.code ?? '') &&
    typeof e.path === 'string'
  ) {
    return `cannot write ${e.path} (${e.code}): set DATA_DIR to a folder you can write (now ${settings.dataDir})`;
  }
  if (e.name === 'FfmpegNotFound') return `${e.message}: install FFmpeg or set FFMPEG_PATH to its binary`;
  return `local mode could not start: ${e.message ?? String(error)}`;
}

function portNameOf(port: number | undefined, settings: LocalSettings): PortName | undefined {
  if (port === undefined) return undefined;
  if (port === settings.apiPort) return 'api';
  return (Object.entries(settings.ports) as Array<[PortName, number]>).find(([, p]) => p === port)?.[0];
}
