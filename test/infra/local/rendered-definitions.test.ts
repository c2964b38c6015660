import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPLIT_WORKFLOW, WORKFLOWS } from '../../../core/workflows.js';
import { definitionSourceHash, RENDERED_FILE } from '../../../infra/local/definitions.js';

describe('the committed rendered definitions local mode runs', () => {
  it('were rendered from the current state machine sources (else run npm run render:workflows)', () => {
    const saved = JSON.parse(readFileSync(RENDERED_FILE, 'utf8')) as {
      sourceHash: string;
      machines: Array<{ name: string }>;
    };
    expect(saved.sourceHash).toBe(definitionSourceHash());
    expect(saved.machines.map((m) => m.name).sort()).toEqual(
      [...Object.values(WORKFLOWS).map((w) => w.machineName), SPLIT_WORKFLOW.machineName].sort(),
    );
  });
});
