import { validationError } from './api-errors.js';

/** Request members, checked against the botocore model's constraints (types, lengths, ranges, enums). */
export type RequestBody = Record<string, unknown>;

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  allowed?: readonly string[];
}

export function readString(body: RequestBody, field: string, rule: StringRule & { required: true }): string;
export function readString(body: RequestBody, field: string, rule?: StringRule): string | undefined;
export function readString(body: RequestBody, field: string, rule: StringRule = {}): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (rule.required) {
      throw validationError(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    }
    return undefined;
  }
  if (typeof value !== 'string') {
    throw validationError(`Value at '${field}' failed to satisfy constraint: Member must be a string`);
  }
  if (rule.min !== undefined && value.length < rule.min) {
    throw validationError(
      `Value at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
    );
  }
  if (rule.max !== undefined && value.length > rule.max) {
    throw validationError(
      `Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
    );
  }
  if (rule.allowed && !rule.allowed.includes(value)) {
    throw validationError(
      `Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${rule.allowed.join(', ')}]`,
    );
  }
  return value;
}

export function readInteger(body: RequestBody, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validationError(`Value at '${field}' failed to satisfy constraint: Member must be an integer`);
  }
  if (value < min || value > max) {
    throw validationError(
      `Value '${value}' at '${field}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
  return value;
}

export function readBoolean(body: RequestBody, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw validationError(`Value at '${field}' failed to satisfy constraint: Member must be a boolean`);
  }
  return value;
}

/** PageSize: 0 or absent means the default page of 100; the maximum is 1000. */
export function readPageSize(body: RequestBody): number {
  const value = readInteger(body, 'maxResults', 0, 1000);
  return value === undefined || value === 0 ? 100 : value;
}
