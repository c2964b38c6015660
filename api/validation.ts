/**
 * Request schemas, hand-written: each one checks a parsed JSON value, names every bad field as a
 * client would write it (`timestamp_list[2].end`), gives the TypeScript type of what it accepts
 * (`Infer`), and describes itself as JSON Schema for the OpenAPI document.
 *
 * The API needs a dozen rules; a schema library (zod) was a fifth of the Lambda's bundle. The reasons
 * keep the wording zod gave this API's clients ("Too small: expected number to be >=1"), and the
 * rules run as zod ran them: every rule of a string is reported, a number stops at its first broken
 * rule, an object reports its fields in order, then its unknown keys, then its cross-field rule.
 */
import { type FieldProblem, InvalidRequest } from '../core/errors.js';

export type Json = Record<string, unknown>;
type PathPart = string | number;

export interface Issue {
  path: PathPart[];
  reason: string;
  /** The value is not of the kind asked for (wrong type, not an integer, not an option): rules
   * between fields cannot be judged. A value of the right kind out of range is not fatal. */
  fatal?: boolean;
}

export interface Schema<T> {
  /** Checks `value`; pushes one issue per problem and returns the parsed value (unusable if it pushed any). */
  parse(value: unknown, path: PathPart[], issues: Issue[]): T;
  /** JSON Schema (draft 2020-12) of what the schema accepts. */
  json(): Json;
  /** The field may be absent from its object (not `required` in JSON Schema). */
  readonly absentOk?: boolean;
}

/** A field that may be absent: its key is optional in the parsed object. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly absentOk: true;
  readonly optional: true;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export function fieldName(path: ReadonlyArray<PropertyKey>, root = 'body'): string {
  if (path.length === 0) return root;
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

/** Parses `value` with `schema`, or throws `InvalidRequest` with one problem per bad field. */
export function parseWith<S extends Schema<unknown>>(schema: S, value: unknown, root = 'body'): Infer<S> {
  const issues: Issue[] = [];
  const parsed = schema.parse(value, [], issues) as Infer<S>;
  if (issues.length === 0) return parsed;
  const problems: FieldProblem[] = issues.map((issue) => ({
    field: fieldName(issue.path, root),
    reason: issue.reason,
  }));
  throw new InvalidRequest(
    problems,
    `invalid ${root}: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`,
  );
}

/** How a value is named in "received …" (NaN and the infinities by name: JSON.parse makes `1e999` Infinity). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

const expected = (type: string, value: unknown) =>
  `Invalid input: expected ${type}, received ${kindOf(value)}`;

// A lone (unpaired) UTF-16 surrogate: JSON allows it as an escape, but it is not Unicode text, and
// DynamoDB, S3 and browsers each treat it differently. With the `u` flag a paired surrogate is one
// code point and does not match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export interface StringRules {
  /** Trim white space before the other rules (and keep the trimmed value). */
  trim?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** The reason when `pattern` does not match. */
  patternReason?: string;
  /** A rule no pattern can say: the reason the value breaks it, or undefined. */
  check?: (value: string) => string | undefined;
  /** JSON Schema keywords describing what `check` enforces (for the document only). */
  documents?: Json;
  description?: string;
}

export function string(rules: StringRules = {}): Schema<string> {
  const { trim, min, max, pattern, patternReason, check, documents, description } = rules;
  return {
    parse(value, path, issues) {
      if (typeof value !== 'string') {
        issues.push({ path, reason: expected('string', value), fatal: true });
        return '';
      }
      const text = trim ? value.trim() : value;
      const reasons: Array<string | undefined> = [
        LONE_SURROGATE.test(text) ? 'is not valid Unicode (it has an unpaired surrogate)' : undefined,
        min !== undefined && text.length < min
          ? `Too small: expected string to have >=${min} characters`
          : undefined,
        max !== undefined && text.length > max
          ? `Too big: expected string to have <=${max} characters`
          : undefined,
        pattern && !pattern.test(text)
          ? (patternReason ?? `Invalid string: must match pattern ${String(pattern)}`)
          : undefined,
        check?.(text),
      ];
      for (const reason of reasons) if (reason !== undefined) issues.push({ path, reason });
      return text;
    },
    json: () => ({
      type: 'string',
      ...(min !== undefined ? { minLength: min } : {}),
      ...(max !== undefined ? { maxLength: max } : {}),
      ...(pattern ? { pattern: pattern.source } : {}),
      ...documents,
      ...(description !== undefined ? { description } : {}),
    }),
  };
}

export interface NumberRules {
  integer?: boolean;
  min?: number;
  max?: number;
  /** Read a string as a number (query parameters), as `Number()` does. */
  coerce?: boolean;
  /** The value when absent. */
  default?: number;
  description?: string;
}

export function number(rules: NumberRules = {}): Schema<number> {
  const { integer, min, max, coerce, description } = rules;
  const fallback = rules.default;
  return {
    ...(fallback !== undefined ? { absentOk: true } : {}),
    parse(value, path, issues) {
      if (value === undefined && fallback !== undefined) return fallback;
      const n = coerce ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        issues.push({ path, reason: expected('number', n), fatal: true });
        return 0;
      }
      if (integer && !Number.isInteger(n)) {
        issues.push({ path, reason: 'Invalid input: expected int, received number', fatal: true });
        return 0;
      }
      const reasons = [
        // An integer is a safe integer (zod's `int`, whose wording clients have seen).
        integer && n < Number.MIN_SAFE_INTEGER
          ? `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`
          : '',
        integer && n > Number.MAX_SAFE_INTEGER
          ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`
          : '',
        min !== undefined && n < min ? `Too small: expected number to be >=${min}` : '',
        max !== undefined && n > max ? `Too big: expected number to be <=${max}` : '',
      ].filter((reason) => reason !== '');
      for (const reason of reasons) issues.push({ path, reason });
      return n;
    },
    json: () => ({
      ...(fallback !== undefined ? { default: fallback } : {}),
      type: integer ? 'integer' : 'number',
      ...(min !== undefined ? { minimum: min } : {}),
      ...(max !== undefined ? { maximum: max } : {}),
      ...(description !== undefined ? { description } : {}),
    }),
  };
}

export function oneOf<const V extends readonly string[]>(values: V): Schema<V[number]> {
  const reason =
    values.length === 1
      ? `Invalid input: expected ${JSON.stringify(values[0])}`
      : `Invalid option: expected one of ${values.map((v) => JSON.stringify(v)).join('|')}`;
  return {
    parse(value, path, issues) {
      if (typeof value === 'string' && values.includes(value)) return value as V[number];
      issues.push({ path, reason, fatal: true });
      return values[0] as V[number];
    },
    json: () => ({ type: 'string', enum: [...values] }),
  };
}

/** The field may be absent (or `undefined`); `description` documents the field itself. */
export function optional<T>(schema: Schema<T>, description?: string): OptionalSchema<T> {
  return {
    absentOk: true,
    optional: true,
    parse: (value, path, issues) => (value === undefined ? undefined : schema.parse(value, path, issues)),
    json: () => ({ ...(description !== undefined ? { description } : {}), ...schema.json() }),
  };
}

export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return {
    parse: (value, path, issues) => (value === null ? null : schema.parse(value, path, issues)),
    json: () => ({ anyOf: [schema.json(), { type: 'null' }] }),
  };
}

export function array<T>(items: Schema<T>, rules: { min?: number; max?: number } = {}): Schema<T[]> {
  const { min, max } = rules;
  return {
    parse(value, path, issues) {
      if (!Array.isArray(value)) {
        issues.push({ path, reason: expected('array', value), fatal: true });
        return [];
      }
      const parsed = value.map((item, i) => items.parse(item, [...path, i], issues));
      if (min !== undefined && value.length < min)
        issues.push({ path, reason: `Too small: expected array to have >=${min} items` });
      if (max !== undefined && value.length > max)
        issues.push({ path, reason: `Too big: expected array to have <=${max} items` });
      return parsed;
    },
    json: () => ({
      ...(min !== undefined ? { minItems: min } : {}),
      ...(max !== undefined ? { maxItems: max } : {}),
      type: 'array',
      items: items.json(),
    }),
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

export interface ObjectRules<S extends Shape, E extends string> {
  /** Keys taken as they are, unchecked and undocumented (a client echoing read-only fields). */
  alsoAccepts?: readonly E[];
  /** The reason for a key the object does not know. */
  unknownKeyReason?: string;
  /** The reason when the value is not an object at all. */
  notAnObjectReason?: string;
  /** A rule between fields, checked when every field has the right kind of value. */
  refine?: { check: (value: ObjectOf<S>) => boolean; field: keyof S & string; reason: string };
}

/** The parsed object: its fields, and the `alsoAccepts` keys the client sent, as they were. */
export type Parsed<S extends Shape, E extends string> = ObjectOf<S> & { readonly [K in E]?: unknown };

export interface ObjectSchema<S extends Shape, E extends string = never> extends Schema<Parsed<S, E>> {
  readonly shape: S;
}

/** A JSON object with exactly these fields (and `alsoAccepts`): any other key is a problem. */
export function object<S extends Shape, E extends string = never>(
  shape: S,
  rules: ObjectRules<S, E> = {},
): ObjectSchema<S, E> {
  const { alsoAccepts = [], unknownKeyReason = 'is not a known field', notAnObjectReason, refine } = rules;
  const known = (key: string) =>
    Object.hasOwn(shape, key) || (alsoAccepts as readonly string[]).includes(key);
  return {
    shape,
    parse(value, path, issues) {
      const parsed: Record<string, unknown> = {};
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, reason: notAnObjectReason ?? expected('object', value), fatal: true });
        return parsed as Parsed<S, E>;
      }
      const input = value as Record<string, unknown>;
      const before = issues.length;
      for (const [key, field] of Object.entries(shape)) {
        const out = field.parse(Object.hasOwn(input, key) ? input[key] : undefined, [...path, key], issues);
        if (out !== undefined) parsed[key] = out;
      }
      const judgeable = !issues.slice(before).some((issue) => issue.fatal);
      for (const key of Object.keys(input)) {
        if (!known(key)) issues.push({ path: [...path, key], reason: unknownKeyReason });
        else if (!Object.hasOwn(shape, key)) parsed[key] = input[key];
      }
      if (refine && judgeable && !refine.check(parsed as ObjectOf<S>))
        issues.push({ path: [...path, refine.field], reason: refine.reason });
      return parsed as Parsed<S, E>;
    },
    json: () => {
      const required = Object.keys(shape).filter((key) => !shape[key]?.absentOk);
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, field.json()])),
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
      };
    },
  };
}
