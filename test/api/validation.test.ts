import { describe, expect, it } from 'vitest';
import {
  array,
  fieldName,
  type Issue,
  nullable,
  number,
  object,
  oneOf,
  optional,
  parseWith,
  type Schema,
  string,
} from '../../api/validation.js';
import { InvalidRequest } from '../../core/errors.js';

function problemsOf(schema: Schema<unknown>, value: unknown, root = 'body'): Array<[string, string]> {
  try {
    parseWith(schema, value, root);
  } catch (error) {
    if (error instanceof InvalidRequest) return error.problems.map((p) => [p.field, p.reason]);
    throw error;
  }
  return [];
}

describe('string', () => {
  it('names the kind of value it got instead', () => {
    const s = string();
    expect(problemsOf(s, 1)).toEqual([['body', 'Invalid input: expected string, received number']]);
    expect(problemsOf(s, null)).toEqual([['body', 'Invalid input: expected string, received null']]);
    expect(problemsOf(s, [])).toEqual([['body', 'Invalid input: expected string, received array']]);
    expect(problemsOf(s, undefined)).toEqual([
      ['body', 'Invalid input: expected string, received undefined'],
    ]);
    expect(problemsOf(s, Number.POSITIVE_INFINITY)).toEqual([
      ['body', 'Invalid input: expected string, received Infinity'],
    ]);
  });

  it('trims before judging the length, and keeps the trimmed value', () => {
    const s = string({ trim: true, min: 1, max: 3 });
    expect(parseWith(s, '  ab ')).toBe('ab');
    expect(problemsOf(s, '   ')).toEqual([['body', 'Too small: expected string to have >=1 characters']]);
    expect(problemsOf(s, 'abcd')).toEqual([['body', 'Too big: expected string to have <=3 characters']]);
  });

  it('reports every rule the value breaks', () => {
    const s = string({
      min: 2,
      pattern: /^a+$/,
      check: (v) => (v.includes('b') ? 'has a b' : undefined),
    });
    expect(problemsOf(s, 'b')).toEqual([
      ['body', 'Too small: expected string to have >=2 characters'],
      ['body', 'Invalid string: must match pattern /^a+$/'],
      ['body', 'has a b'],
    ]);
    expect(problemsOf(string({ pattern: /^a$/, patternReason: 'must be a' }), 'b')).toEqual([
      ['body', 'must be a'],
    ]);
  });

  it('refuses an unpaired surrogate anywhere, and takes surrogate pairs', () => {
    const reason = 'is not valid Unicode (it has an unpaired surrogate)';
    for (const text of ['\uD800', 'a\uDBFFb', '\uDC00', 'x\uDFFF', '\uDC00\uD800'])
      expect(problemsOf(string(), text), JSON.stringify(text)).toEqual([['body', reason]]);
    expect(parseWith(string(), '\uD83C\uDFA5 𝄞')).toBe('🎥 𝄞');
  });

  it('documents its rules and what its check enforces as JSON Schema', () => {
    expect(
      string({ min: 1, max: 5, pattern: /^a+$/, documents: { format: 'x' }, description: 'd' }).json(),
    ).toEqual({ type: 'string', minLength: 1, maxLength: 5, pattern: '^a+$', format: 'x', description: 'd' });
  });
});

describe('number', () => {
  it('refuses what is not a finite number, naming NaN and the infinities', () => {
    const n = number();
    expect(problemsOf(n, '3')).toEqual([['body', 'Invalid input: expected number, received string']]);
    expect(problemsOf(n, Number.NaN)).toEqual([['body', 'Invalid input: expected number, received NaN']]);
    expect(problemsOf(n, Number.NEGATIVE_INFINITY)).toEqual([
      ['body', 'Invalid input: expected number, received -Infinity'],
    ]);
  });

  it('stops at a fraction for an integer, and judges the range otherwise', () => {
    const n = number({ integer: true, min: 1, max: 10 });
    expect(problemsOf(n, 0.5)).toEqual([['body', 'Invalid input: expected int, received number']]);
    expect(problemsOf(n, 0)).toEqual([['body', 'Too small: expected number to be >=1']]);
    expect(problemsOf(n, 11)).toEqual([['body', 'Too big: expected number to be <=10']]);
    expect(problemsOf(n, 1e300)).toEqual([
      ['body', 'Too big: expected int to be <=9007199254740991'],
      ['body', 'Too big: expected number to be <=10'],
    ]);
  });

  it('reads query strings as Number() does, and takes its default when absent', () => {
    const n = number({ coerce: true, integer: true, min: 1, max: 100, default: 25 });
    expect(parseWith(n, undefined)).toBe(25);
    expect(parseWith(n, '1e2')).toBe(100);
    expect(problemsOf(n, '')).toEqual([['body', 'Too small: expected number to be >=1']]);
    expect(problemsOf(n, '25abc')).toEqual([['body', 'Invalid input: expected number, received NaN']]);
    expect(n.json()).toEqual({ default: 25, type: 'integer', minimum: 1, maximum: 100 });
  });
});

describe('oneOf', () => {
  it('lists the options it takes', () => {
    expect(problemsOf(oneOf(['A', 'B']), 'C')).toEqual([['body', 'Invalid option: expected one of "A"|"B"']]);
    expect(problemsOf(oneOf(['A']), 1)).toEqual([['body', 'Invalid input: expected "A"']]);
    expect(parseWith(oneOf(['A', 'B']), 'B')).toBe('B');
  });
});

describe('optional and nullable', () => {
  it('let a field be absent, or null', () => {
    const s = object({ a: optional(nullable(number())) });
    expect(parseWith(s, {})).toEqual({});
    expect(parseWith(s, { a: null })).toEqual({ a: null });
    expect(problemsOf(s, { a: 'x' })).toEqual([['a', 'Invalid input: expected number, received string']]);
  });

  it('put the description of the field before its schema, and leave it out of required', () => {
    const s = object({ a: optional(number({ min: 0 }), 'the a'), b: string() });
    expect(s.json()).toEqual({
      type: 'object',
      properties: {
        a: { description: 'the a', type: 'number', minimum: 0 },
        b: { type: 'string' },
      },
      required: ['b'],
      additionalProperties: false,
    });
    expect(Object.keys((s.json().properties as Record<string, object>).a ?? {})[0]).toBe('description');
    expect(nullable(string()).json()).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
  });
});

describe('object', () => {
  const range = object(
    { start: number({ min: 0 }), end: number({ min: 0 }) },
    { refine: { check: (r) => r.end > r.start, field: 'end', reason: 'end must be greater than start' } },
  );

  it('reports its fields in order, then the keys it does not know', () => {
    expect(problemsOf(object({ a: number(), b: string() }), { z: 1, b: 2, a: 'x', y: 3 })).toEqual([
      ['a', 'Invalid input: expected number, received string'],
      ['b', 'Invalid input: expected string, received number'],
      ['z', 'is not a known field'],
      ['y', 'is not a known field'],
    ]);
  });

  it('checks the rule between fields unless a field has the wrong kind of value', () => {
    expect(problemsOf(range, { start: 5, end: 1 })).toEqual([['end', 'end must be greater than start']]);
    expect(problemsOf(range, { start: 5, end: -1 })).toEqual([
      ['end', 'Too small: expected number to be >=0'],
      ['end', 'end must be greater than start'],
    ]);
    expect(problemsOf(range, { start: 5, end: 'x' })).toEqual([
      ['end', 'Invalid input: expected number, received string'],
    ]);
    expect(problemsOf(range, { start: 5, end: 1, q: 1 })).toEqual([
      ['q', 'is not a known field'],
      ['end', 'end must be greater than start'],
    ]);
  });

  it('answers a value that is not an object with its own reason when it has one', () => {
    expect(problemsOf(object({}), [])).toEqual([['body', 'Invalid input: expected object, received array']]);
    expect(problemsOf(object({}, { notAnObjectReason: 'must be a JSON object' }), 'x')).toEqual([
      ['body', 'must be a JSON object'],
    ]);
  });

  it('reads own keys only: __proto__ and constructor are unknown keys, never the prototype', () => {
    const s = object({ name: optional(string()) });
    expect(problemsOf(s, JSON.parse('{"__proto__":{"name":"x"}}'))).toEqual([
      ['__proto__', 'is not a known field'],
    ]);
    expect(problemsOf(s, JSON.parse('{"constructor":{"prototype":{}}}'))).toEqual([
      ['constructor', 'is not a known field'],
    ]);
  });

  it('takes the keys it also accepts as they are, and names unknown keys as asked', () => {
    const s = object(
      { a: number() },
      { alsoAccepts: ['echo'], unknownKeyReason: 'is not a known parameter' },
    );
    expect(parseWith(s, { a: 1, echo: { deep: [1] } })).toEqual({ a: 1, echo: { deep: [1] } });
    expect(problemsOf(s, { a: 1, other: 1 })).toEqual([['other', 'is not a known parameter']]);
  });
});

describe('array', () => {
  it('names each bad item by its index, then judges the length', () => {
    const s = object({ list: array(object({ n: number() }), { min: 2, max: 3 }) });
    expect(problemsOf(s, { list: [{ n: 'x' }] })).toEqual([
      ['list[0].n', 'Invalid input: expected number, received string'],
      ['list', 'Too small: expected array to have >=2 items'],
    ]);
    expect(problemsOf(s, { list: [{ n: 1 }, { n: 1 }, { n: 1 }, { n: 1 }] })).toEqual([
      ['list', 'Too big: expected array to have <=3 items'],
    ]);
    expect(array(number(), { min: 1 }).json()).toEqual({
      minItems: 1,
      type: 'array',
      items: { type: 'number' },
    });
  });
});

describe('parseWith', () => {
  it('throws InvalidRequest listing every problem, named from the root', () => {
    const error = (() => {
      try {
        parseWith(object({ limit: number() }), { limit: 'x', page: 1 }, 'query');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidRequest);
    expect(error).toMatchObject({
      problems: [
        { field: 'limit', reason: 'Invalid input: expected number, received string' },
        { field: 'page', reason: 'is not a known field' },
      ],
      message:
        'invalid query: limit Invalid input: expected number, received string; page is not a known field',
    });
  });

  it('names fields as a client writes them', () => {
    expect(fieldName([], 'Idempotency-Key')).toBe('Idempotency-Key');
    expect(fieldName(['timestamp_list', 2, 'end'])).toBe('timestamp_list[2].end');
  });

  it('pushes problems into the list a caller passes', () => {
    const issues: Issue[] = [];
    string().parse(1, ['a'], issues);
    expect(issues).toEqual([
      { path: ['a'], reason: 'Invalid input: expected string, received number', fatal: true },
    ]);
  });
});
