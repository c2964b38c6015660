import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARCHIVE_PATH_PATTERN, archivePath } from '../../api/schemas.js';
import { MAX_ARCHIVE_PATH_LENGTH, pathProblem } from '../../core/archive-naming.js';

describe('archivePath', () => {
  const documented = new RegExp(ARCHIVE_PATH_PATTERN);
  const documentedAccepts = (path: string) =>
    path.length >= 1 && path.length <= MAX_ARCHIVE_PATH_LENGTH && documented.test(path);

  it('documents exactly what the start task accepts (pathProblem)', () => {
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', '...', 'a', 'a.b', '.a', 'a.', '_1', "x!*'()-"),
      fc.stringMatching(/^[a-z. é%\\-]{0,4}$/),
    );
    const path = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/')),
      fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}/`),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(path, (p) => {
        expect(documentedAccepts(p), JSON.stringify(p)).toBe(pathProblem(p) === undefined);
      }),
      { numRuns: 5000 },
    );
    expect(documentedAccepts('x'.repeat(MAX_ARCHIVE_PATH_LENGTH))).toBe(true);
    expect(pathProblem('x'.repeat(MAX_ARCHIVE_PATH_LENGTH + 1))).toBeDefined();
  });

  it('is what the OpenAPI document shows for path', () => {
    expect(archivePath.json()).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: MAX_ARCHIVE_PATH_LENGTH,
      pattern: ARCHIVE_PATH_PATTERN,
    });
  });
});
