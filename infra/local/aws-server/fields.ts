/**
 * Request members read against the model's constraints (type, length, range, pattern, enum); a
 * violation is the service's own client error, naming the member.
 */
import type { AwsError } from './aws-error.js';

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  oneOf?: readonly string[];
}

export const isString = (value: unknown): value is string => typeof value === 'string';
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class Fields {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly invalid: (message: string) => AwsError,
    private readonly prefix = '',
  ) {}

  string(name: string, rule: StringRule & { required: true }): string;
  string(name: string, rule?: StringRule): string | undefined;
  string(
    name: string,
    { required, min = 0, max = Infinity, pattern, oneOf }: StringRule = {},
  ): string | undefined {
    const value = this.read(name, isString, 'a string', required);
    if (value === undefined) return undefined;
    if (value.length < min || value.length > max) this.fail(name, `a length between ${min} and ${max}`);
    if (pattern && !pattern.test(value)) this.fail(name, `a match of ${pattern.source}`);
    if (oneOf && !oneOf.includes(value)) this.fail(name, `one of ${oneOf.join(', ')}`);
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const integer = (v: unknown): v is number =>
      Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
    return this.read(name, integer, `an integer between ${min} and ${max}`);
  }

  boolean(name: string): boolean | undefined {
    return this.read(name, (v): v is boolean => typeof v === 'boolean', 'true or false');
  }

  /** A structure member, read with the same rules. */
  object(name: string, required: true): Fields;
  object(name: string, required?: boolean): Fields | undefined;
  object(name: string, required = false): Fields | undefined {
    const value = this.read(name, isObject, 'an object', required);
    return value && new Fields(value, this.invalid, `${this.prefix}${name}.`);
  }

  /** A list member whose items all pass `item`. */
  list<T>(name: string, item: (value: unknown) => value is T, what: string): T[] | undefined {
    return this.read(name, (v): v is T[] => Array.isArray(v) && v.every(item), `a list of ${what}`);
  }

  private read<T>(
    name: string,
    is: (value: unknown) => value is T,
    what: string,
    required = false,
  ): T | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) {
      if (required) throw this.invalid(`${this.prefix}${name} is required.`);
      return undefined;
    }
    if (!is(value)) this.fail(name, what);
    return value as T;
  }

  private fail(name: string, what: string): never {
    throw this.invalid(`${this.prefix}${name} must be ${what}.`);
  }
}
