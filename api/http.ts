/**
 * HTTP edge: JSON answers and the one place where errors become status codes.
 */

import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  ActionNotAllowed,
  ClipHasGaps,
  ClipNotFound,
  ExportInProgress,
  FeatureNotConfigured,
  InvalidRequest,
  InvalidTransition,
  SessionNotFound,
  StreamNotFound,
  ThumbnailNotAvailable,
  VersionConflict,
} from '../core/errors.js';
import type { ApiLogger } from './logger.js';

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: Array<{ field: string; reason: string }>;
    status?: string;
  };
}

/** An error answered as-is (4xx the API decided on, or a 5xx that says what to do). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Partial<ApiErrorBody['error']> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorBody(
  code: string,
  message: string,
  extra: Partial<ApiErrorBody['error']> = {},
): ApiErrorBody {
  return { error: { code, message, ...extra } };
}

/** Maps known errors to answers; anything else is the caller's 500. */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof InvalidRequest) {
    return new HttpError(400, 'InvalidRequest', error.message, { details: error.problems });
  }
  if (error instanceof StreamNotFound) return new HttpError(404, 'StreamNotFound', error.message);
  if (error instanceof SessionNotFound) return new HttpError(404, 'SessionNotFound', error.message);
  if (error instanceof ClipNotFound) return new HttpError(404, 'ClipNotFound', error.message);
  if (error instanceof ExportInProgress) return new HttpError(409, 'ExportInProgress', error.message);
  if (error instanceof ClipHasGaps) return new HttpError(409, 'ClipHasGaps', error.message);
  if (error instanceof ActionNotAllowed) {
    return new HttpError(409, 'ActionNotAllowed', error.message, { status: error.status });
  }
  if (error instanceof InvalidTransition) {
    return new HttpError(409, 'ActionNotAllowed', error.message, { status: error.from });
  }
  if (error instanceof VersionConflict) return new HttpError(409, 'VersionConflict', error.message);
  if (error instanceof FeatureNotConfigured) return new HttpError(409, 'FeatureNotConfigured', error.message);
  if (error instanceof ThumbnailNotAvailable)
    return new HttpError(404, 'ThumbnailNotAvailable', error.message);
  return undefined;
}

/** The answer to an error: its own status when known (logged as a refusal), else a 500 (logged as an error). */
export function errorAnswer(error: unknown, logger: ApiLogger): APIGatewayProxyResult {
  const known = toHttpError(error);
  if (known) {
    if (known.statusCode >= 500) logger.error(known.message, { code: known.code });
    else
      logger.info('request refused', {
        code: known.code,
        status_code: known.statusCode,
        reason: known.message,
      });
    return json(known.statusCode, errorBody(known.code, known.message, known.extra));
  }
  logger.error('unexpected error', { error: error });
  return json(500, errorBody('InternalError', 'the request failed unexpectedly; it is safe to retry'));
}
