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

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const SEGMENT_TYPE = 'video/mp2t';
/** Segments never change once written: let players and the CDN keep them. */
const SEGMENT_CACHE = 'public, max-age=86400';
const ROUTE = /^\/out\/v1\/([^/]+)\/([^/]+)$/;

function corsHeaders(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', '*');
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.end(`${message}\n`);
}

function sendPlaylist(req: IncomingMessage, res: ServerResponse, body: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', PLAYLIST_TYPE);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function sendSegment(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    reply(res, 404, 'segment no longer available');
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', SEGMENT_TYPE);
  res.setHeader('Cache-Control', SEGMENT_CACHE);
  res.setHeader('Content-Length', size);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
    corsHeaders(res);
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
    res.statusCode = 204;
    res.end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD, OPTIONS');
    reply(res, 405, 'method not allowed');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://local');
  const route = ROUTE.exec(url.pathname);
  const hash = route?.[1];
  const file = route?.[2];
  if (!hash || !file || !serves(hash)) {
    reply(res, 404, 'not found');
    return;
  }
  const endpoint = source.view.findEndpointByHash(hash);
  if (!endpoint) {
    reply(res, 404, 'no such endpoint');
    return;
  }
  const match = new RegExp(
    `^${escapeRegExp(endpoint.manifestName)}(?:_(\\d+)(?:_(\\d+))?)?\\.(m3u8|ts)$`,
  ).exec(file);
  const index = source.segments(endpoint.channelId);
  if (!match || !index || index.renditions.length === 0) {
    reply(res, 404, 'not found');
    return;
  }
  const [, renditionNumber, sequence, extension] = match;

  let shift: TimeShift | undefined;
  try {
    shift = endpoint.startoverWindowSeconds > 0 ? parseTimeShift(url.searchParams) : undefined;
  } catch (error) {
    if (error instanceof InvalidTimeShift) {
      reply(res, 400, error.message);
      return;
    }
    throw error;
  }

  if (renditionNumber === undefined) {
    if (extension !== 'm3u8') {
      reply(res, 404, 'not found');
      return;
    }
    const query = shift ? timeShiftQuery(url.searchParams) : '';
    sendPlaylist(
      req,
      res,
      renderMasterPlaylist(index.renditions, (i) => `${endpoint.manifestName}_${i + 1}.m3u8${query}`),
    );
    return;
  }

  const rendition = index.renditions[Number(renditionNumber) - 1];
  if (!rendition) {
    reply(res, 404, 'no such rendition');
    return;
  }
  const segments = index.segments(rendition.name);

  if (extension === 'm3u8' && sequence === undefined) {
    const now = source.now();
    const window = selectWindow(segments, shift, now, now - endpoint.startoverWindowSeconds * 1000);
    if (window.segments.length === 0) {
      reply(
        res,
        404,
        shift ? 'no segment in the requested time window' : 'the channel has no live segment yet',
      );
      return;
    }
    const prefix = `${endpoint.manifestName}_${renditionNumber}_`;
    sendPlaylist(
      req,
      res,
      renderMediaPlaylist(window, index.targetSeconds, (segment) => `${prefix}${segment.seq}.ts`),
    );
    return;
  }

  if (extension === 'ts' && sequence !== undefined) {
    const first = segments[0];
    const segment = first ? segments[Number(sequence) - first.seq] : undefined;
    if (!segment || segment.seq !== Number(sequence)) {
      reply(res, 404, 'segment no longer available');
      return;
    }
    await sendSegment(req, res, path.join(index.dir, segment.file));
    return;
  }
  reply(res, 404, 'not found');
}
