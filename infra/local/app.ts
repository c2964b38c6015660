/**
 * The whole local product: the local stack, and the API on its port as API Gateway would serve it
 * (requests become proxy events for the real API handler). Auth is `Authorization: Bearer
 * <API_TOKEN>` (API Gateway does IAM or Cognito on AWS); `/health` is open so scripts can wait for
 * the stack, and so are the links the API signs itself (a clip's playlist), as on AWS. The same port serves the web console and the status events (`GET /events`).
 * Writes every endpoint, the region and the key pair the endpoints require to
 * `<dataDir>/local-endpoints.json` (owner only), for the AWS CLI and scripts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isSignedRoute } from '../../api/app.js';
import { writeSecretFile } from './aws-server/credentials.js';
import { authorized, createConsoleRoutes } from './console-server.js';
import { sseHandler } from './events/index.js';
import { type LocalSettings, readLocalSettings, startupFailure } from './settings.js';
import { type LocalEndpoints, type LocalStack, type LocalStackOptions, startLocalStack } from './stack.js';

export const LOCAL_ENDPOINTS_FILE = 'local-endpoints.json';
/** API Gateway's own payload limit is 10 MB; the handler answers 413 above 64 KiB. */
const MAX_READ_BYTES = 10 * 1024 * 1024;

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
  /** The token was made by this start (and kept in `<dataDir>/api-token`). */
  tokenGenerated: boolean;
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
    const { token, generated } = options.apiToken
      ? { token: options.apiToken, generated: false }
      : apiToken(options.dataDir);
    const { endpoints, region, credentials } = stack;
    // Clips play from presigned URLs of the local S3 (api/clip-links.ts).
    const consoleRoute = createConsoleRoutes({ mediaOrigins: [endpoints.hls, endpoints.cdn, endpoints.s3] });
    const server = createServer(async (req, res) => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        // A request target no URL can hold (`//`): a client error, never a crash of local mode.
        return send(res, 400, { error: { code: 'InvalidRequest', message: 'malformed request target' } });
      }
      try {
        if (url.pathname === '/health')
          return send(res, 200, { ok: true, details: { uptime_ms: Date.now() - started } });
        if (await consoleRoute(req, res, url)) return;
        // A clip's signed playlist link: players send no token, the API checks the signature.
        const signed = req.method === 'GET' && isSignedRoute(url.pathname);
        if (!signed && !authorized(req.headers.authorization, token)) {
          const error = { code: 'Unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' };
          return send(res, 401, { error }, { 'www-authenticate': 'Bearer' });
        }
        // Every status change (and MediaLive's channel events), as the deployment's EventBridge rule sees them.
        if (url.pathname === '/events' && req.method === 'GET') return sseHandler(stack.events)(req, res);
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of req as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > MAX_READ_BYTES)
            return send(res, 413, { error: { code: 'PayloadTooLarge', message: 'body over 10 MB' } });
          chunks.push(chunk);
        }
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        const binary = !Buffer.from(text, 'utf8').equals(body);
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
        const query = Object.fromEntries(url.searchParams);
        const requestId = randomUUID();
        // API Gateway's Lambda proxy integration: the API function's bundle, run as Lambda runs it.
        const event: APIGatewayProxyEvent = {
          httpMethod: req.method ?? 'GET',
          path: url.pathname,
          resource: url.pathname,
          headers,
          multiValueHeaders: {},
          queryStringParameters: Object.keys(query).length > 0 ? query : null,
          multiValueQueryStringParameters: null,
          pathParameters: null,
          stageVariables: null,
          body: body.length ? (binary ? body.toString('base64') : text) : null,
          isBase64Encoded: binary,
          requestContext: { requestId } as APIGatewayProxyEvent['requestContext'],
        };
        const result = (await stack.functions.invoke('api', event, requestId)) as APIGatewayProxyResult;
        res.writeHead(result.statusCode, {
          ...(result.headers as Record<string, string>),
          'x-request-id': requestId,
        });
        // As API Gateway does for a binary media type: the function's base64 goes out as bytes.
        res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
      } catch (error) {
        send(res, 500, { error: { code: 'InternalError', message: String((error as Error).message) } });
      }
    });
    await new Promise<void>((resolve, reject) =>
      server.once('error', reject).listen(options.apiPort ?? 3000, host, resolve),
    );
    const apiUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
    writeSecretFile(
      path.join(options.dataDir, LOCAL_ENDPOINTS_FILE),
      `${JSON.stringify({ api: apiUrl, ...stack.endpoints, region, credentials }, null, 2)}\n`,
    );
    return {
      stack,
      apiUrl,
      token,
      tokenGenerated: generated,
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

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * `npm start` and `npm run demo`: the local app with the settings of the environment (DATA_DIR,
 * PORT, every <SERVICE>_PORT). A failure ends the process with one line naming the setting and the
 * fix: a stack trace helps nobody starting local mode.
 */
export async function startFromEnvironment(): Promise<{ app: LocalApp; settings: LocalSettings }> {
  // The SDK's notice that its releases after January 2027 need Node 22: the versions this project
  // pins run on Node 20 (package-lock.json), and Lambda runs Node 22; it is not what a user needs here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let settings: LocalSettings | undefined;
  try {
    settings = readLocalSettings();
    const { dataDir, apiPort, ports } = settings;
    return { app: await startLocalApp({ dataDir, apiPort, ports }), settings };
  } catch (error) {
    console.error(startupFailure(error, settings));
    process.exit(1);
  }
}
