/**
 * The web console in local mode, served from the API's own port: the built console at `/` (plus
 * `/assets/*`, `/favicon.svg`) and its runtime settings at `/console-config.json`. Everything else
 * falls through to the API. Clips play from the API's signed links (api/clip-links.ts), as on AWS.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:console` writes the console. */
const CONSOLE_BUILD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/console');

export interface ConsoleRoutesOptions {
  /** Origins the console may load media from (the local HLS origin, CDN and S3), for the CSP. */
  mediaOrigins: string[];
  /** @default the console's build directory */
  root?: string;
}

export type ConsoleRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};
const NOT_BUILT =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Console not built</title><p>The web console ' +
  'is not built. Run <code>npm run build:console</code> (or <code>npm run build</code>) and reload.</p></html>';

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

export function createConsoleRoutes(options: ConsoleRoutesOptions): ConsoleRoute {
  const root = path.resolve(options.root ?? CONSOLE_BUILD_DIR);
  const config = {
    apiBaseUrl: '',
    auth: 'token',
    mode: 'local',
  };
  const secure = {
    'content-security-policy': contentSecurityPolicy(options.mediaOrigins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };

  const serveStatic = async (req: IncomingMessage, res: ServerResponse, route: string) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(route);
    } catch {
      // A malformed percent-escape names no file: a client error, never a crash or a 500.
      return sendJson(res, 400, 'InvalidRequest', 'malformed percent-escape in the path');
    }
    const file = path.resolve(root, `.${decoded}`);
    const info = file.startsWith(`${root}${path.sep}`) ? await stat(file).catch(() => undefined) : undefined;
    if (!info?.isFile()) {
      if (route !== '/index.html') return sendJson(res, 404, 'NotFound', 'no such file');
      res.writeHead(503, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        ...secure,
      });
      return void res.end(NOT_BUILT);
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      // Vite names assets by content hash: they never change; index.html must be re-read each time.
      'cache-control': route.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...secure,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  return async (req, res, url) => {
    const route = url.pathname;
    const asset =
      ['/', '/index.html', '/favicon.svg', '/console-config.json'].includes(route) ||
      route.startsWith('/assets/');
    if (!asset) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, 'MethodNotAllowed', `${req.method} is not allowed on ${route}`, {
        allow: 'GET, HEAD',
      });
    } else if (route === '/console-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(config));
    } else {
      await serveStatic(req, res, route === '/' ? '/index.html' : route);
    }
    return true;
  };
}

/**
 * Only the console's own scripts; API calls to its own origin; media from the stream endpoints.
 * hls.js feeds MediaSource through `blob:` URLs and runs its transmuxer in a `blob:` worker.
 */
export function contentSecurityPolicy(mediaOrigins: string[]): string {
  const media = [...new Set(mediaOrigins.map((o) => new URL(o).origin))].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${media}`.trim(),
    `media-src 'self' blob: ${media}`.trim(),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function sendJson(res: ServerResponse, status: number, code: string, message: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}
