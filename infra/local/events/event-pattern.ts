/**
 * EventBridge event patterns, the subset local rules need: exact values (strings, numbers,
 * booleans, null), `prefix`, `anything-but` (values or a prefix), `exists`, nested fields.
 * Semantics of the EventBridge User Guide ("Event patterns", "Content filtering"): a field's list
 * matches when any matcher matches; an array in the event matches when any element does; matchers
 * see leaf values only. Other operators (`suffix`, `wildcard`, `numeric`, `cidr`,
 * `equals-ignore-case`, `$or`) are refused at subscribe time rather than silently never matching.
 */
import type { EventPattern, EventPatternMatcher, JsonValue } from './types.js';

export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
}

const SUPPORTED_OPERATORS = ['prefix', 'anything-but', 'exists'];

/** Throws InvalidEventPatternError unless `pattern` is a pattern of the supported subset. */
export function assertEventPattern(pattern: unknown): asserts pattern is EventPattern {
  if (!isObject(pattern)) throw new InvalidEventPatternError('Event pattern must be a JSON object.');
  if (Object.keys(pattern).length === 0) throw new InvalidEventPatternError('Event pattern is empty.');
  checkObject(pattern, '');
}

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, isObject(event) ? event : {});
}

function checkObject(pattern: Record<string, unknown>, path: string): void {
  for (const [field, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${field}` : field;
    if (field.startsWith('$'))
      throw new InvalidEventPatternError(`${at}: ${field} is not supported locally.`);
    if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidEventPatternError(`${at}: empty arrays are not allowed.`);
      for (const matcher of value) checkMatcher(matcher, at);
    } else if (isObject(value)) {
      if (Object.keys(value).length === 0)
        throw new InvalidEventPatternError(`${at}: empty objects are not allowed.`);
      checkObject(value, at);
    } else {
      throw new InvalidEventPatternError(`${at}: match values must be in an array or in an object.`);
    }
  }
}

function checkMatcher(matcher: unknown, at: string): void {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return;
  if (!isObject(matcher))
    throw new InvalidEventPatternError(`${at}: a matcher must be a value or an object.`);
  const keys = Object.keys(matcher);
  const [operator] = keys;
  if (keys.length !== 1 || operator === undefined) {
    throw new InvalidEventPatternError(`${at}: a matcher object has exactly one operator.`);
  }
  if (!SUPPORTED_OPERATORS.includes(operator)) {
    throw new InvalidEventPatternError(
      `${at}: operator "${operator}" is not supported locally (supported: ${SUPPORTED_OPERATORS.join(', ')}).`,
    );
  }
  const operand = matcher[operator];
  if (operator === 'prefix' && typeof operand !== 'string') {
    throw new InvalidEventPatternError(`${at}: prefix takes a string.`);
  }
  if (operator === 'exists' && typeof operand !== 'boolean') {
    throw new InvalidEventPatternError(`${at}: exists takes true or false.`);
  }
  if (operator === 'anything-but') {
    const valid =
      typeof operand === 'string' ||
      typeof operand === 'number' ||
      (Array.isArray(operand) &&
        operand.length > 0 &&
        operand.every((item) => typeof item === 'string' || typeof item === 'number')) ||
      (isObject(operand) && Object.keys(operand).length === 1 && typeof operand.prefix === 'string');
    if (!valid) {
      throw new InvalidEventPatternError(
        `${at}: anything-but takes a value, a non-empty list of values or {"prefix": "..."}.`,
      );
    }
  }
}

function matchObject(pattern: EventPattern, event: Record<string, unknown>): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    const actual = event[field];
    if (Array.isArray(expected)) {
      if (!matchField(expected, actual)) return false;
    } else if (Array.isArray(actual)) {
      // An array of objects matches when one of its objects matches (EventBridge flattens arrays).
      if (!actual.some((item) => matchObject(expected, isObject(item) ? item : {}))) return false;
    } else if (!matchObject(expected, isObject(actual) ? actual : {})) {
      return false;
    }
  }
  return true;
}

function matchField(matchers: EventPatternMatcher[], actual: unknown): boolean {
  if (actual === undefined) return matchers.some((m) => isObject(m) && 'exists' in m && m.exists === false);
  const values = Array.isArray(actual) ? actual : [actual];
  return values.some((value) => isLeaf(value) && matchers.some((matcher) => matchLeaf(matcher, value)));
}

function matchLeaf(matcher: EventPatternMatcher, value: JsonValue): boolean {
  if (!isObject(matcher)) return matcher === value;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('exists' in matcher) return matcher.exists;
  const excluded = matcher['anything-but'];
  if (isObject(excluded)) return !(typeof value === 'string' && value.startsWith(excluded.prefix));
  return !(Array.isArray(excluded) ? excluded : [excluded]).some((item) => item === value);
}

function isLeaf(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
