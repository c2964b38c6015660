/**
 * `npm start`: the whole workflow on this machine. Prints every endpoint (also written to
 * `<DATA_DIR>/local-endpoints.json`). SIGINT/SIGTERM stop FFmpeg and persist state.
 */
import * as path from 'node:path';
import { apiToken, LOCAL_ENDPOINTS_FILE, type LocalApp, startLocalApp } from './app.js';
import { CREDENTIALS_FILE, CREDENTIALS_PROFILE } from './aws-server/credentials.js';
import { type LocalSettings, readLocalSettings, startupFailure } from './settings.js';
import { DEFAULT_PORTS } from './stack.js';

/** The settings a failure is explained with when they could not even be read. */
function readFallback(): LocalSettings {
  return { dataDir: path.resolve(process.env.DATA_DIR || '.data'), apiPort: 3000, ports: DEFAULT_PORTS };
}

// The SDK's notice that its releases after January 2027 need Node 22: the versions this project
// pins run on Node 20 (package-lock.json), and Lambda runs Node 22; it is not what a user needs here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const t0 = Date.now();
let settings: LocalSettings | undefined;
let app: LocalApp;
let token: string;
let generated: boolean;
try {
  settings = readLocalSettings();
  ({ token, generated } = apiToken(settings.dataDir));
  app = await startLocalApp({
    dataDir: settings.dataDir,
    apiPort: settings.apiPort,
    apiToken: token,
    ports: settings.ports,
    ...(settings.x264Preset ? { x264Preset: settings.x264Preset } : {}),
  });
} catch (error) {
  // One line naming the setting and the fix; the stack trace helps nobody starting local mode.
  console.error(settings ? startupFailure(error, settings) : startupFailure(error, readFallback()));
  process.exit(1);
}
const { dataDir } = settings;

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
  CloudWatch     ${e.cloudwatch}   (GetMetricData: the channels' metrics)
  Secrets Mgr.   ${e.secretsmanager}   (the SRT inputs' passphrases)
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
