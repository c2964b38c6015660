/**
 * `npm start`: the whole workflow on this machine. Prints every endpoint (also written to
 * `<DATA_DIR>/local-endpoints.json`). SIGINT/SIGTERM stop FFmpeg and persist state.
 */
import * as path from 'node:path';
import { LOCAL_ENDPOINTS_FILE, startFromEnvironment } from './app.js';
import { CREDENTIALS_FILE, CREDENTIALS_PROFILE } from './aws-server/credentials.js';

const t0 = Date.now();
const { app, settings } = await startFromEnvironment();
const { dataDir } = settings;
const { region } = app.stack;
const e = app.endpoints;
const credentialsFile = path.join(dataDir, CREDENTIALS_FILE);
console.log(`
Live streaming workflow, local mode: up in ${((Date.now() - t0) / 1000).toFixed(1)} s (data in ${dataDir})

  API            ${e.api}        (Authorization: Bearer <API_TOKEN>)
  API token      ${process.env.API_TOKEN ? '$API_TOKEN' : `in ${path.join(dataDir, 'api-token')}${app.tokenGenerated ? ' (new)' : ''}`}   (never printed)
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
