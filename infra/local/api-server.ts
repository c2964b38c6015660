/**
 * Local API Gateway: turns HTTP requests into API Gateway proxy events for the real API handler.
 * Auth is `Authorization: Bearer <API_TOKEN>` (API Gateway does IAM/Cognito on AWS); `/health`
 * is open so scripts can wait for the stack.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** API Gateway's own payload limit is 10 MB; the handler answers 413 above 64 KiB. */
const MAX_READ_BYTES = 10 * 1024 * 1024;

export interface LocalApiOptions {
  token: string;
  handler: (event: APIGatewayProxyEvent, context: { awsRequestId: string }) => Promise<APIGatewayProxyResult>;
  health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
  /** Extra routes served before the API (console, events). Return true when handled. */
  extra?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
}

/**
 * `Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110 section 11.1,
 * "auth-scheme"), and one or more spaces separate it from the token. The token is compared in
 * constant time, through digests of equal length so that not even its length shows.
 */
export function authorized(header: string | undefined, token: string): boolean {
  const given = /^bearer +(\S+)$/i.exec(header ?? '')?.[1];
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const same = timingSafeEqual(digest(given ?? ''), digest(token));
  return given !== undefined && token !== '' && same;
}

export function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  requestId: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const text = body.toString('utf8');
  const binary = !Buffer.from(text, 'utf8').equals(body);
  return {
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    resource: url.pathname,
    headers,
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body.length ? (binary ? body.toString('base64') : text) : null,
    isBase64Encoded: binary,
    requestContext: { requestId } as APIGatewayProxyEvent['requestContext'],
  };
}

export function createLocalApi(options: LocalApiOptions): Server {
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/health') {
        const health = await options.health();
        return send(res, health.ok ? 200 : 503, health);
      }
      if (options.extra && (await options.extra(req, res, url))) return;
      if (!authorized(req.headers.authorization, options.token)) {
        return send(
          res,
          401,
          { error: { code: 'Unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' } },
          { 'www-authenticate': 'Bearer' },
        );
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_READ_BYTES)
          return send(res, 413, { error: { code: 'PayloadTooLarge', message: 'body over 10 MB' } });
        chunks.push(chunk as Buffer);
      }
      const requestId = randomUUID();
      const result = await options.handler(toEvent(req, url, Buffer.concat(chunks), requestId), {
        awsRequestId: requestId,
      });
      res.writeHead(result.statusCode, {
        ...(result.headers as Record<string, string>),
        'x-request-id': requestId,
      });
      res.end(result.body);
    } catch (error) {
      send(res, 500, { error: { code: 'InternalError', message: String((error as Error).message) } });
    }
  });
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
