/**
 * Turns schema failures into `InvalidRequest` with one problem per field, named as a client would
 * write it (`timestamp_list[2].end`).
 */
import type { z } from 'zod';
import { type FieldProblem, InvalidRequest } from '../core/errors.js';

export function fieldName(path: ReadonlyArray<PropertyKey>, root = 'body'): string {
  if (path.length === 0) return root;
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, root = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems: FieldProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ field: fieldName([...issue.path, key], root), reason: 'is not a known field' });
      }
    } else {
      problems.push({ field: fieldName(issue.path, root), reason: issue.message });
    }
  }
  throw new InvalidRequest(
    problems,
    `invalid ${root}: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`,
  );
}
