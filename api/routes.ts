/**
 * The route table: one entry per method and path. The API dispatches on it, the OpenAPI document
 * is built from it, and the CDK app creates one API Gateway method per entry (each with auth), so
 * a route cannot exist in one place and not the others.
 */
import {
  createStreamBody,
  deleteQuery,
  emptyBody,
  executionsQuery,
  listQuery,
  scheduleBody,
  splitBody,
  startStreamBody,
  updateStreamBody,
} from './schemas.js';
import type { Schema } from './validation.js';

export type Method = 'GET' | 'POST' | 'DELETE';

export interface RouteSpec {
  operationId: string;
  method: Method;
  /** API Gateway resource path, `{id}` for the stream id. */
  path: string;
  summary: string;
  body?: Schema<unknown>;
  query?: Schema<unknown> & { readonly shape: Readonly<Record<string, Schema<unknown>>> };
  /** HTTP status of a success. */
  success: 200 | 202;
  /** What the success answer holds, for the OpenAPI document. */
  answers: 'stream' | 'streamPage' | 'sessionPage' | 'split' | 'openapi' | 'schedule' | 'executions' | 'none';
}

export const ROUTES = [
  {
    operationId: 'listStreams',
    method: 'GET',
    path: '/streams',
    summary: 'List streams, oldest first, without their stream keys.',
    query: listQuery,
    success: 200,
    answers: 'streamPage',
  },
  {
    operationId: 'createStream',
    method: 'POST',
    path: '/streams',
    summary: 'Create a stream: the CreateStream workflow makes its input, channel and origin.',
    body: createStreamBody,
    success: 202,
    answers: 'stream',
  },
  {
    operationId: 'getStream',
    method: 'GET',
    path: '/streams/{id}',
    summary: 'One stream, with its RTMP URLs and stream keys.',
    success: 200,
    answers: 'stream',
  },
  {
    operationId: 'updateStream',
    method: 'POST',
    path: '/streams/{id}',
    summary: 'Change user-editable fields. Encoder-related changes apply at the next start.',
    body: updateStreamBody,
    success: 200,
    answers: 'stream',
  },
  {
    operationId: 'deleteStream',
    method: 'DELETE',
    path: '/streams/{id}',
    summary:
      'Delete the channel, input and origin (the archive is kept). Refused while running unless force=true.',
    query: deleteQuery,
    success: 202,
    answers: 'stream',
  },
  {
    operationId: 'startStream',
    method: 'POST',
    path: '/streams/{id}/start',
    summary: 'Start the channel: a new recording session.',
    body: startStreamBody,
    success: 202,
    answers: 'stream',
  },
  {
    operationId: 'stopStream',
    method: 'POST',
    path: '/streams/{id}/stop',
    summary: 'Stop the channel; the session ends.',
    body: emptyBody,
    success: 202,
    answers: 'stream',
  },
  {
    operationId: 'goLive',
    method: 'POST',
    path: '/streams/{id}/live',
    summary: 'Put the stream on the live CloudFront distribution.',
    body: emptyBody,
    success: 202,
    answers: 'stream',
  },
  {
    operationId: 'endLive',
    method: 'DELETE',
    path: '/streams/{id}/live',
    summary: 'Take the stream off the live CloudFront distribution.',
    success: 202,
    answers: 'stream',
  },
  {
    operationId: 'splitArchive',
    method: 'POST',
    path: '/streams/{id}/split',
    summary: 'Write one VOD HLS playlist per requested range of a recording session.',
    body: splitBody,
    success: 200,
    answers: 'split',
  },
  {
    operationId: 'listSessions',
    method: 'GET',
    path: '/streams/{id}/sessions',
    summary: 'Recording sessions of the stream, oldest first.',
    query: listQuery,
    success: 200,
    answers: 'sessionPage',
  },
  {
    operationId: 'listExecutions',
    method: 'GET',
    path: '/streams/{id}/executions',
    summary: "The stream's latest lifecycle executions (newest first) with their steps, from Step Functions.",
    query: executionsQuery,
    success: 200,
    answers: 'executions',
  },
  {
    operationId: 'setSchedule',
    method: 'POST',
    path: '/streams/{id}/schedule',
    summary: 'Schedule the stream to start (and optionally stop) at given times; replaces any schedule.',
    body: scheduleBody,
    success: 200,
    answers: 'stream',
  },
  {
    operationId: 'getSchedule',
    method: 'GET',
    path: '/streams/{id}/schedule',
    summary: "The stream's schedule, and what happened when it fired.",
    success: 200,
    answers: 'schedule',
  },
  {
    operationId: 'deleteSchedule',
    method: 'DELETE',
    path: '/streams/{id}/schedule',
    summary: "Cancel the stream's scheduled start and stop.",
    success: 200,
    answers: 'stream',
  },
  {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API, as an OpenAPI 3.1 document.',
    success: 200,
    answers: 'openapi',
  },
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof ROUTES)[number]['operationId'];
