/**
 * dynalite (DynamoDB) and s3rver (S3) behind the same Host and signature checks as the other local
 * endpoints: their own request handlers get only requests signed with the local key pair. Neither
 * checks signatures itself (s3rver accepts anonymous requests and does not verify V4 signatures).
 */
import type { RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { type Served, type ServeOptions, serveAws } from './server.js';

/** dynalite on `options.port`; `path` persists the tables (in memory without it). */
export function serveDynalite(options: ServeOptions & { path?: string }): Promise<Served> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.path });
  // dynalite's own server, so that closing it still closes its database; only its handler is wrapped.
  const [handler] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  return serveAws(
    { protocol: () => 'json-1.0', forward: (req, res) => handler?.(req, res) },
    options,
    server,
  );
}

/** s3rver on `options.port` with `buckets` created, its objects under `directory`. */
export async function serveS3rver(
  options: ServeOptions & { directory: string; buckets: string[]; cors?: boolean },
): Promise<Served> {
  // A bucket CORS configuration letting any page GET what it holds a valid signature for.
  const cors =
    '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>' +
    '<AllowedMethod>HEAD</AllowedMethod><MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>';
  const configureBuckets = options.buckets.map((name) => ({ name, configs: options.cors ? [cors] : [] }));
  const s3rver = new S3rver({ directory: options.directory, silent: true, configureBuckets });
  await s3rver.configureBuckets();
  // s3rver refuses access key ids it does not know (InvalidAccessKeyId), knowing only its built-in
  // `S3RVER`: the local pair joins its registry. The signature is checked before s3rver sees it.
  const accounts = createRequire(import.meta.url)('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
  };
  accounts.DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  return serveAws({ protocol: () => 's3', forward: s3rver.callback() }, options);
}
