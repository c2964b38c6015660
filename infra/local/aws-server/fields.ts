/**
 * Request members read against the model's constraints (type, length, range, pattern, enum); a
 * violation is the service's own client error, naming the member.
 */
import type { AwsError } from './aws-error.js';

type Invalid = (message: string) => AwsError;

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  oneOf?: readonly string[];
}

export class Fields {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly invalid: Invalid,
    private readonly prefix = '',
  ) {}

  string(name: string, rule: StringRule & { required: true }): string;
  string(name: string, rule?: StringRule): string | undefined;
  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.present(name, rule.required);
    if (value === undefined) return undefined;
    const at = this.prefix + name;
    if (typeof value !== 'string') throw this.invalid(`${at} must be a string.`);
    if (
      (rule.min !== undefined && value.length < rule.min) ||
      (rule.max !== undefined && value.length > rule.max)
    ) {
      throw this.invalid(`${at} must have a length between ${rule.min ?? 0} and ${rule.max ?? 'any'}.`);
    }
    if (rule.pattern && !rule.pattern.test(value))
      throw this.invalid(`${at} must match ${rule.pattern.source}.`);
    if (rule.oneOf && !rule.oneOf.includes(value))
      throw this.invalid(`${at} must be one of ${rule.oneOf.join(', ')}.`);
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.present(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw this.invalid(`${this.prefix}${name} must be an integer between ${min} and ${max}.`);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.present(name);
    if (value !== undefined && typeof value !== 'boolean')
      throw this.invalid(`${this.prefix}${name} must be true or false.`);
    return value;
  }

  /** A structure member, read with the same rules; `undefined` when absent and not required. */
  object(name: string, required: true): Fields;
  object(name: string, required?: boolean): Fields | undefined;
  object(name: string, required = false): Fields | undefined {
    const value = this.present(name, required);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.invalid(`${this.prefix}${name} must be an object.`);
    }
    return new Fields(value as Record<string, unknown>, this.invalid, `${this.prefix}${name}.`);
  }

  /** A list member whose items all pass `item` (e.g. a `typeof` check). */
  list<T>(name: string, item: (value: unknown) => value is T, what: string): T[] | undefined {
    const value = this.present(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every(item))
      throw this.invalid(`${this.prefix}${name} must be a list of ${what}.`);
    return value;
  }

  private present(name: string, required = false): unknown {
    const value = this.raw[name];
    if (value !== undefined && value !== null) return value;
    if (required) throw this.invalid(`${this.prefix}${name} is required.`);
    return undefined;
  }
}

export const isString = (value: unknown): value is string => typeof value === 'string';
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
