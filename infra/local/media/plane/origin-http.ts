/**
 * HTTP side of the local MediaPackage origin and of the local CloudFront.
 *
 * URLs have MediaPackage v1's shape: `/out/v1/<hash>/<manifest>.m3u8` is the master playlist,
 * `<manifest>_<n>.m3u8` the n-th rendition (1-based, ladder order) and `<manifest>_<n>_<seq>.ts`
 * its segment with media sequence number `seq`. Nothing in a URL is used as a file path: segments
 * are looked up in the index, so no request can reach another file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { ControlPlaneView } from '../contracts.js';
import type { HlsSegmentIndex } from './hls-segment-index.js';
import {
  InvalidTimeShift,
  parseTimeShift,
  renderMasterPlaylist,
  renderMediaPlaylist,
  selectWindow,
  type TimeShift,
} from './origin-playlists.js';

export interface OriginSource {
  view: ControlPlaneView;
  /** The segment index of a MediaPackage channel, if it has ever had HLS. */
  segments(packageChannelId: string): HlsSegmentIndex | undefined;
  now(): number;
}

const ROUTE = /^\/out\/v1\/([^/]+)\/([^/]+)$/;
/** After the manifest name: `_<rendition>` and `_<seq>`, each optional, then the extension. */
const FILE = /^(?:_(\d+)(?:_(\d+))?)?\.(m3u8|ts)$/;

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(`${message}\n`);
}

function send(req: IncomingMessage, res: ServerResponse, headers: Record<string, string | number>): boolean {
  res.writeHead(200, headers);
  if (req.method === 'HEAD') res.end();
  return req.method !== 'HEAD';
}

function sendPlaylist(req: IncomingMessage, res: ServerResponse, body: string): void {
  const headers = { 'Content-Type': 'application/vnd.apple.mpegurl', 'Cache-Control': 'no-cache' };
  if (send(req, res, { ...headers, 'Content-Length': Buffer.byteLength(body) })) res.end(body);
}

async function sendSegment(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  const size = await stat(file).then(
    (info) => info.size,
    () => undefined,
  );
  if (size === undefined) return reply(res, 404, 'segment no longer available');
  // Segments never change once written: let players and the CDN keep them.
  const headers = { 'Content-Type': 'video/mp2t', 'Cache-Control': 'public, max-age=86400' };
  if (!send(req, res, { ...headers, 'Content-Length': size })) return;
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Only the query strings CloudFront's MediaPackage cache policy forwards reach child playlists. */
function timeShiftQuery(query: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const name of ['start', 'end']) {
    const value = query.get(name);
    if (value !== null) kept.set(name, value);
  }
  const text = kept.toString();
  return text ? `?${text}` : '';
}

/**
 * @param serves whether this listener serves the endpoint with that hash: always for the origin,
 *   only when the live distribution has a behaviour for it for the local CloudFront.
 */
export function originRequestHandler(
  source: OriginSource,
  serves: (hash: string) => boolean = () => true,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', '*');
    handle(source, serves, req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, 'internal error');
      else res.destroy();
    });
  };
}

async function handle(
  source: OriginSource,
  serves: (hash: string) => boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD, OPTIONS');
    return reply(res, 405, 'method not allowed');
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://local');
  } catch {
    // A target no URL can hold (`//`: a host-relative reference without a host) names no file.
    return reply(res, 400, 'bad request target');
  }
  const [, hash = '', file = ''] = ROUTE.exec(url.pathname) ?? [];
  if (!hash || !serves(hash)) return reply(res, 404, 'not found');
  const endpoint = source.view.findEndpointByHash(hash);
  if (!endpoint) return reply(res, 404, 'no such endpoint');
  const match = file.startsWith(endpoint.manifestName)
    ? FILE.exec(file.slice(endpoint.manifestName.length))
    : null;
  const index = source.segments(endpoint.channelId);
  if (!match || !index || index.renditions.length === 0) return reply(res, 404, 'not found');
  const [, renditionNumber, sequence, extension] = match;

  let shift: TimeShift | undefined;
  try {
    shift = endpoint.startoverWindowSeconds > 0 ? parseTimeShift(url.searchParams) : undefined;
  } catch (error) {
    if (error instanceof InvalidTimeShift) return reply(res, 400, error.message);
    throw error;
  }

  if (renditionNumber === undefined) {
    if (extension !== 'm3u8') return reply(res, 404, 'not found');
    const query = shift ? timeShiftQuery(url.searchParams) : '';
    const master = renderMasterPlaylist(
      index.renditions,
      (i) => `${endpoint.manifestName}_${i + 1}.m3u8${query}`,
    );
    return sendPlaylist(req, res, master);
  }

  const rendition = index.renditions[Number(renditionNumber) - 1];
  if (!rendition) return reply(res, 404, 'no such rendition');
  const segments = index.segments(rendition.name);

  if (extension === 'm3u8' && sequence === undefined) {
    const now = source.now();
    const window = selectWindow(segments, shift, now, now - endpoint.startoverWindowSeconds * 1000);
    if (window.segments.length === 0) {
      return reply(
        res,
        404,
        shift ? 'no segment in the requested time window' : 'the channel has no live segment yet',
      );
    }
    const prefix = `${endpoint.manifestName}_${renditionNumber}_`;
    return sendPlaylist(
      req,
      res,
      renderMediaPlaylist(window, index.targetSeconds, (segment) => `${prefix}${segment.seq}.ts`),
    );
  }

  if (extension === 'ts' && sequence !== undefined) {
    const first = segments[0];
    const segment = first ? segments[Number(sequence) - first.seq] : undefined;
    if (!segment || segment.seq !== Number(sequence)) return reply(res, 404, 'segment no longer available');
    return sendSegment(req, res, path.join(index.dir, segment.file));
  }
  reply(res, 404, 'not found');
}
