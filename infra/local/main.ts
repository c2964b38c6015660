/**
 * `npm start`: the whole workflow on this machine. Prints every endpoint (also written to
 * `<DATA_DIR>/local-endpoints.json`). SIGINT/SIGTERM stop FFmpeg and persist state.
 */
import * as path from 'node:path';
import { apiToken, LOCAL_ENDPOINTS_FILE, startLocalApp } from './app.js';
import { CREDENTIALS_FILE, CREDENTIALS_PROFILE } from './aws-server/credentials.js';
import { DEFAULT_PORTS } from './stack.js';

const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const port = (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${name} must be a port number (0-65535), not "${value}"`);
    process.exit(2);
  }
  return n;
};

const t0 = Date.now();
const { token, generated } = apiToken(dataDir);
const app = await startLocalApp({
  dataDir,
  apiPort: port('PORT', 3000),
  apiToken: token,
  // RTMP_PORT, HLS_PORT (the origin), CDN_PORT, DYNAMODB_PORT, S3_PORT, SFN_PORT, MEDIA_PORT, EVENTS_PORT...
  ports: Object.fromEntries(
    Object.entries(DEFAULT_PORTS).map(([service, fallback]) => {
      const variable = `${service === 'origin' ? 'HLS' : service.toUpperCase()}_PORT`;
      return [service, port(variable, fallback)];
    }),
  ),
  ...(process.env.X264_PRESET ? { x264Preset: process.env.X264_PRESET } : {}),
});

const { region } = app.stack;
const e = app.endpoints;
const credentialsFile = path.join(dataDir, CREDENTIALS_FILE);
console.log(`
Live streaming workflow, local mode: up in ${((Date.now() - t0) / 1000).toFixed(1)} s (data in ${dataDir})

  API            ${e.api}        (Authorization: Bearer <API_TOKEN>)
  API token      ${generated ? `${token}   (new; kept in ${path.join(dataDir, 'api-token')})` : `kept in ${path.join(dataDir, 'api-token')} or $API_TOKEN`}
  RTMP ingest    ${e.rtmp}/<app>/<stream key>   (rtmp1 of a stream)
  HLS origin     ${e.hls}        (viewer_endpoint of a stream)
  CDN            ${e.cdn}        (viewer_endpoint_cloudfront, after POST /streams/{id}/live)

  AWS-compatible endpoints (AWS_ENDPOINT_URL_<SERVICE> or aws --endpoint-url ...), signed requests only:
  export AWS_SHARED_CREDENTIALS_FILE=${credentialsFile} AWS_PROFILE=${CREDENTIALS_PROFILE} AWS_DEFAULT_REGION=${region}
  DynamoDB       ${e.dynamodb}
  S3             ${e.s3}
  Step Functions ${e.stepfunctions}
  MediaLive      ${e.medialive}
  MediaPackage   ${e.mediapackage}
  CloudFront     ${e.cloudfront}
  EventBridge    ${e.eventbridge}
  Scheduler      ${e.scheduler}
  Status events  ${e.api}/events   (server-sent events, with the bearer token)

  Endpoints as JSON: ${path.join(dataDir, LOCAL_ENDPOINTS_FILE)} (with the key pair)
  Try: curl -H "Authorization: Bearer $(cat ${path.join(dataDir, 'api-token')})" ${e.api}/streams
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping encoders and saving state...`);
    await app.close();
    console.log('stopped');
    process.exit(0);
  });
}
