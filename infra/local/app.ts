/**
 * The whole local product: the local stack plus the API on its port. Used by `npm start`, the demo,
 * the end-to-end tests and the benchmarks. Writes every endpoint, the region and the key pair the
 * endpoints require to `<dataDir>/local-endpoints.json` (owner only), for the AWS CLI and scripts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { authorized, createLocalApi } from './api-server.js';
import { writeSecretFile } from './aws-server/credentials.js';
import { consoleRoutes } from './console-server.js';
import { sseHandler } from './events/index.js';
import { type LocalEndpoints, type LocalStack, type LocalStackOptions, startLocalStack } from './stack.js';

export const LOCAL_ENDPOINTS_FILE = 'local-endpoints.json';

export interface LocalAppOptions extends LocalStackOptions {
  /** 0 = a free port. @default 3000 */
  apiPort?: number;
  /** @default env API_TOKEN, else generated once and kept in `<dataDir>/api-token` */
  apiToken?: string;
}

export interface LocalApp {
  stack: LocalStack;
  apiUrl: string;
  token: string;
  endpoints: LocalEndpoints & { api: string };
  close(): Promise<void>;
}

/** The token from the environment, else the one kept in the data directory, else a new one. */
export function apiToken(
  dataDir: string,
  fromEnv = process.env.API_TOKEN,
): { token: string; generated: boolean } {
  if (fromEnv) return { token: fromEnv, generated: false };
  const file = path.join(dataDir, 'api-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), generated: false };
  const token = randomBytes(24).toString('base64url');
  writeSecretFile(file, `${token}\n`);
  return { token, generated: true };
}

export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const started = Date.now();
  const stack = await startLocalStack(options);
  const host = options.host ?? '127.0.0.1';
  try {
    const token = options.apiToken ?? apiToken(options.dataDir).token;
    // The Lambda's own wiring module, imported once the environment points at the local services.
    const { handler } = await import('../../api/handler.js');
    const consoleRoute = consoleRoutes(stack, token);
    const server = createLocalApi({
      token,
      handler: (event, context) => handler(event, context),
      health: async () => ({ ok: true, details: { uptime_ms: Date.now() - started } }),
      extra: async (req, res, url) => {
        // Server-sent events of every status change (and MediaLive's channel events), as the
        // EventBridge rule of a deployment would see them.
        if (url.pathname === '/events' && req.method === 'GET') {
          if (!authorized(req.headers.authorization, token)) {
            res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
            res.end(
              JSON.stringify({
                error: { code: 'Unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' },
              }),
            );
            return true;
          }
          sseHandler(stack.events)(req, res);
          return true;
        }
        return consoleRoute(req, res, url);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.apiPort ?? 3000, host, () => resolve());
    });
    const apiUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
    const { region, credentials } = stack;
    writeSecretFile(
      path.join(options.dataDir, LOCAL_ENDPOINTS_FILE),
      `${JSON.stringify({ api: apiUrl, ...stack.endpoints, region, credentials }, null, 2)}\n`,
    );
    return {
      stack,
      apiUrl,
      token,
      endpoints: { api: apiUrl, ...stack.endpoints },
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await stack.close();
      },
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}
