/**
 * The route table: one entry per method and path, with its body and query schemas and its handler
 * (api/routes/<action>.ts for the lifecycle actions). The API dispatches on it, the OpenAPI document
 * is built from it, and the CDK app creates one API Gateway method per entry (each with auth), so a
 * route cannot exist in one place and not the others.
 */
import { noBody, noQuery, type Route, route, streamRoute } from './route.js';
import { createStream } from './routes/create.js';
import { deleteStream } from './routes/delete.js';
import { endLive } from './routes/end-live.js';
import { listExecutions } from './routes/executions.js';
import { getStream } from './routes/get.js';
import { goLive } from './routes/go-live.js';
import { getHealth } from './routes/health.js';
import { listStreams } from './routes/list.js';
import { getOpenApi } from './routes/openapi-document.js';
import { deleteSchedule, getSchedule, setSchedule } from './routes/schedule.js';
import { listSessions } from './routes/sessions.js';
import { splitArchive } from './routes/split.js';
import { startStream } from './routes/start.js';
import { stopStream } from './routes/stop.js';
import { getThumbnail } from './routes/thumbnail.js';
import { updateStream } from './routes/update.js';
import {
  createStreamBody,
  deleteQuery,
  emptyBody,
  executionsQuery,
  listQuery,
  scheduleBody,
  splitBody,
  startStreamBody,
  thumbnailQuery,
  updateStreamBody,
} from './schemas.js';

export type { Method, Route } from './route.js';

export const ROUTES: readonly Route[] = [
  route({
    method: 'GET',
    path: '/streams',
    operationId: 'listStreams',
    summary: 'List streams, oldest first, without their stream keys.',
    body: noBody,
    query: listQuery,
    success: 200,
    answers: 'streamPage',
    handler: listStreams,
  }),
  route({
    method: 'POST',
    path: '/streams',
    operationId: 'createStream',
    summary: 'Create a stream: the CreateStream workflow makes its input, channel and origin.',
    body: createStreamBody,
    query: noQuery,
    success: 202,
    answers: 'stream',
    handler: createStream,
  }),
  streamRoute({
    method: 'GET',
    path: '/streams/{id}',
    operationId: 'getStream',
    summary: 'One stream, with its RTMP URLs and stream keys.',
    body: noBody,
    query: noQuery,
    success: 200,
    answers: 'stream',
    handler: getStream,
  }),
  streamRoute({
    method: 'POST',
    path: '/streams/{id}',
    operationId: 'updateStream',
    summary: 'Change user-editable fields. Encoder-related changes apply at the next start.',
    body: updateStreamBody,
    query: noQuery,
    success: 200,
    answers: 'stream',
    handler: updateStream,
  }),
  streamRoute({
    method: 'DELETE',
    path: '/streams/{id}',
    operationId: 'deleteStream',
    summary:
      'Delete the channel, input and origin (the archive is kept). Refused while running unless force=true.',
    body: noBody,
    query: deleteQuery,
    success: 202,
    answers: 'stream',
    handler: deleteStream,
  }),
  streamRoute({
    method: 'POST',
    path: '/streams/{id}/start',
    operationId: 'startStream',
    summary: 'Start the channel: a new recording session.',
    body: startStreamBody,
    query: noQuery,
    success: 202,
    answers: 'stream',
    handler: startStream,
  }),
  streamRoute({
    method: 'POST',
    path: '/streams/{id}/stop',
    operationId: 'stopStream',
    summary: 'Stop the channel; the session ends.',
    body: emptyBody,
    query: noQuery,
    success: 202,
    answers: 'stream',
    handler: stopStream,
  }),
  streamRoute({
    method: 'POST',
    path: '/streams/{id}/live',
    operationId: 'goLive',
    summary: 'Put the stream on the live CloudFront distribution.',
    body: emptyBody,
    query: noQuery,
    success: 202,
    answers: 'stream',
    handler: goLive,
  }),
  streamRoute({
    method: 'DELETE',
    path: '/streams/{id}/live',
    operationId: 'endLive',
    summary: 'Take the stream off the live CloudFront distribution.',
    body: noBody,
    query: noQuery,
    success: 202,
    answers: 'stream',
    handler: endLive,
  }),
  streamRoute({
    method: 'POST',
    path: '/streams/{id}/split',
    operationId: 'splitArchive',
    summary: 'Write one VOD HLS playlist per requested range of a recording session.',
    body: splitBody,
    query: noQuery,
    success: 200,
    answers: 'split',
    handler: splitArchive,
  }),
  streamRoute({
    method: 'GET',
    path: '/streams/{id}/sessions',
    operationId: 'listSessions',
    summary: 'Recording sessions of the stream, oldest first.',
    body: noBody,
    query: listQuery,
    success: 200,
    answers: 'sessionPage',
    handler: listSessions,
  }),
  streamRoute({
    method: 'GET',
    path: '/streams/{id}/executions',
    operationId: 'listExecutions',
    summary: "The stream's latest lifecycle executions (newest first) with their steps, from Step Functions.",
    body: noBody,
    query: executionsQuery,
    success: 200,
    answers: 'executions',
    handler: listExecutions,
  }),
  streamRoute({
    method: 'POST',
    path: '/streams/{id}/schedule',
    operationId: 'setSchedule',
    summary: 'Schedule the stream to start (and optionally stop) at given times; replaces any schedule.',
    body: scheduleBody,
    query: noQuery,
    success: 200,
    answers: 'stream',
    handler: setSchedule,
  }),
  streamRoute({
    method: 'GET',
    path: '/streams/{id}/schedule',
    operationId: 'getSchedule',
    summary: "The stream's schedule, and what happened when it fired.",
    body: noBody,
    query: noQuery,
    success: 200,
    answers: 'schedule',
    handler: getSchedule,
  }),
  streamRoute({
    method: 'DELETE',
    path: '/streams/{id}/schedule',
    operationId: 'deleteSchedule',
    summary: "Cancel the stream's scheduled start and stop.",
    body: noBody,
    query: noQuery,
    success: 200,
    answers: 'stream',
    handler: deleteSchedule,
  }),
  streamRoute({
    method: 'GET',
    path: '/streams/{id}/health',
    operationId: 'getHealth',
    summary:
      'Stream health per pipeline: input (connected since, frame rate, bitrate, audio), active MediaLive alerts, dropped frames and output errors of the last minute, simulcast destinations, and the age of the newest segment at the origin.',
    body: noBody,
    query: noQuery,
    success: 200,
    answers: 'health',
    handler: getHealth,
  }),
  streamRoute({
    method: 'GET',
    path: '/streams/{id}/thumbnail',
    operationId: 'getThumbnail',
    summary:
      "The newest picture of a running stream's pipeline, as image/jpeg (send Accept: image/jpeg through API Gateway). 404 ThumbnailNotAvailable while the stream does not run.",
    body: noBody,
    query: thumbnailQuery,
    success: 200,
    answers: 'jpeg',
    handler: getThumbnail,
  }),
  route({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This API, as an OpenAPI 3.1 document.',
    body: noBody,
    query: noQuery,
    success: 200,
    answers: 'openapi',
    handler: getOpenApi,
  }),
];
