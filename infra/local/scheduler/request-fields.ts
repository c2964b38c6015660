/**
 * Request members read against the botocore model's constraints (scheduler 2021-06-30: lengths,
 * patterns, ranges, enums); a violation is a ValidationException, as AWS answers it.
 */
import { validationError } from './api-errors.js';

export type RequestBody = Record<string, unknown>;

/** Name, ScheduleGroupName, NamePrefix: 1-64 of `[0-9a-zA-Z-_.]`. */
export const NAME_PATTERN = /^[0-9a-zA-Z\-_.]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const CLIENT_TOKEN_PATTERN = /^[a-zA-Z0-9\-_]+$/;

const failed = (field: string, constraint: string, value?: unknown) =>
  validationError(
    `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${field}' failed to satisfy constraint: ${constraint}`,
  );

interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  allowed?: readonly string[];
}

export function optionalString(value: unknown, field: string, rule: StringRule = {}): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw failed(field, 'Member must be a string');
  if (rule.min !== undefined && value.length < rule.min) {
    throw failed(field, `Member must have length greater than or equal to ${rule.min}`, value);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    throw failed(field, `Member must have length less than or equal to ${rule.max}`, value);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw failed(field, `Member must satisfy regular expression pattern: ${rule.pattern.source}`, value);
  }
  if (rule.allowed && !rule.allowed.includes(value)) {
    throw failed(field, `Member must satisfy enum value set: [${rule.allowed.join(', ')}]`, value);
  }
  return value;
}

export function requiredString(value: unknown, field: string, rule: StringRule = {}): string {
  const read = optionalString(value, field, rule);
  if (read === undefined) throw failed(field, 'Member must not be null');
  return read;
}

export function optionalInteger(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw failed(field, 'Member must be an integer', value);
  if (value < min || value > max) {
    throw failed(field, `Member must have value between ${min} and ${max}`, value);
  }
  return value;
}

/** REST-JSON sends body timestamps as epoch seconds; ISO strings are accepted (hand-written calls). */
export function optionalTimestamp(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms =
    typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw failed(field, 'Member must be a timestamp', value);
  return ms;
}

export function optionalObject(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw failed(field, 'Member must be a structure');
  return value as Record<string, unknown>;
}

export function requiredObject(value: unknown, field: string): Record<string, unknown> {
  const read = optionalObject(value, field);
  if (read === undefined) throw failed(field, 'Member must not be null');
  return read;
}

export function readName(value: unknown, field: string): string {
  return requiredString(value, field, { min: 1, max: 64, pattern: NAME_PATTERN });
}

export function readGroupName(value: unknown, field: string): string | undefined {
  return optionalString(value, field, { min: 1, max: 64, pattern: NAME_PATTERN });
}

export function readClientToken(value: unknown): string | undefined {
  return optionalString(value, 'clientToken', { min: 1, max: 64, pattern: CLIENT_TOKEN_PATTERN });
}

export function readRoleArn(value: unknown, field: string): string {
  return requiredString(value, field, { min: 1, max: 1600, pattern: ROLE_ARN_PATTERN });
}

/** MaxResults as a query string: 1-100. */
export function readMaxResults(value: string | null): number | undefined {
  if (value === null) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw failed('maxResults', 'Member must be an integer', value);
  return optionalInteger(parsed, 'maxResults', 1, 100);
}
