/**
 * How the doctor reads an SDK error: a read it may not make (a warn naming the permission), a
 * service missing from the region, a resource that does not exist, or anything else (shown as is).
 */
import { type CheckResult, warn } from './report.js';

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

/** The error's name (`AccessDeniedException`), its code for a Node network error (`ENOTFOUND`). */
export function errorName(error: unknown): string {
  const e = shape(error);
  if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.Code === 'string') return e.Code;
  if (typeof e.code === 'string') return e.code;
  return typeof e.name === 'string' ? e.name : 'Error';
}

export function errorMessage(error: unknown): string {
  const e = shape(error);
  const message = typeof e.message === 'string' ? e.message.split('\n')[0]?.trim() : '';
  return message ? message : errorName(error);
}

/** `Name: message` in one line. */
export function describeError(error: unknown): string {
  const name = errorName(error);
  const message = errorMessage(error);
  return message === name || message.startsWith(`${name}:`) ? message : `${name}: ${message}`;
}

export function httpStatus(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

// The names AWS services give a refused call: IAM-style query services (STS, IAM, CloudFormation)
// answer AccessDenied, JSON services AccessDeniedException, REST services such as MediaLive and
// MediaPackage ForbiddenException.
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'ForbiddenException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'NotAuthorizedException',
]);

export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error);
  return ACCESS_DENIED.has(name) || /not authorized to perform/i.test(errorMessage(error));
}

// A region without the service: its host name does not resolve, or (in regions that have the host
// but not the service for this account) the service does not recognise the caller.
const NOT_IN_REGION_NAMES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'UnrecognizedClientException']);

export function isServiceMissing(error: unknown): boolean {
  if (NOT_IN_REGION_NAMES.has(errorName(error))) return true;
  const cause = shape(error).cause;
  if (cause !== undefined && cause !== error && NOT_IN_REGION_NAMES.has(errorName(cause))) return true;
  return /getaddrinfo ENOTFOUND|not (available|supported) in (this|the) region/i.test(errorMessage(error));
}

/** The warn for a read the caller may not make: names the IAM action to allow. */
export function deniedResult(id: string, title: string, action: string, error: unknown): CheckResult {
  return warn(
    id,
    title,
    `could not check: ${action} was denied (${errorName(error)})`,
    `allow ${action} to the principal running the doctor (a read-only permission), then run it again`,
  );
}

/** The warn for a read that failed for another reason (throttling, network): the check did not run. */
export function unreadableResult(id: string, title: string, action: string, error: unknown): CheckResult {
  return warn(
    id,
    title,
    `could not check: ${action} failed (${describeError(error)})`,
    'run the doctor again; if it persists, check network access to AWS',
  );
}

/** Access denied → warn naming the action; anything else → a warn that the check could not run. */
export function cannotCheck(id: string, title: string, action: string, error: unknown): CheckResult {
  return isAccessDenied(error)
    ? deniedResult(id, title, action, error)
    : unreadableResult(id, title, action, error);
}
