/**
 * The bundles as deployed (infra/bundling): a Lambda's error reaches Step Functions by its `name`,
 * so every error a machine retries or catches by name, and every error the API reads from the split
 * machine, must keep that name through the minifier (which renames classes: names are strings).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as archiveNaming from '../../core/archive-naming.js';
import * as encoderProfile from '../../core/encoder-profile.js';
import * as errors from '../../core/errors.js';
import {
  BUNDLE_OPTIONS,
  bundleAll,
  bundleText,
  type FunctionBundle,
  ROOT,
} from '../../infra/bundling/bundle.js';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../../infra/functions.js';
import { localFunctionArn, localMachines } from '../../infra/local/definitions.js';
import { TRANSIENT_ERRORS } from '../../state-machines/task-step.js';

type ErrorClass = { errorName: string; prototype: Error };
const isDomainError = (value: unknown): value is ErrorClass =>
  typeof value === 'function' &&
  (value === errors.DomainError || value.prototype instanceof errors.DomainError);
const DOMAIN_ERRORS = (
  Object.entries({ ...errors, ...encoderProfile, ...archiveNaming }) as Array<[string, unknown]>
).filter((entry): entry is [string, ErrorClass] => isDomainError(entry[1]));
const DOMAIN_NAMES = new Set(DOMAIN_ERRORS.map(([, cls]) => cls.errorName));

let bundles: Record<FunctionName, FunctionBundle>;
const work = mkdtempSync(path.join(tmpdir(), 'bundling-test-'));

beforeAll(async () => {
  bundles = await bundleAll();
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bundles `source` (which may import `@root/...`) with the deployed options, and imports it. */
async function bundleAndImport(name: string, source: string): Promise<Record<string, unknown>> {
  const entry = path.join(work, `${name}.ts`);
  writeFileSync(entry, source.replaceAll('@root/', `${ROOT}/`));
  const outfile = path.join(work, `${name}.mjs`);
  await build({ ...BUNDLE_OPTIONS, entryPoints: [entry], outfile, absWorkingDir: ROOT });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
}

describe('the deployed bundles', () => {
  it('name every error class by its class name, as a string a minifier cannot rename', () => {
    expect(DOMAIN_ERRORS.length).toBeGreaterThan(10);
    for (const [exported, cls] of DOMAIN_ERRORS) expect(cls.errorName, exported).toBe(exported);
  });

  it('keep every error name, once minified, as the running code sees it', async () => {
    const probe = await bundleAndImport(
      'errors',
      [
        "import * as errors from '@root/core/errors.ts';",
        "import * as profile from '@root/core/encoder-profile.ts';",
        "import * as naming from '@root/core/archive-naming.ts';",
        'export const names = Object.fromEntries(',
        '  Object.entries({ ...errors, ...profile, ...naming })',
        "    .filter(([, v]) => typeof v === 'function' && (v === errors.DomainError || v.prototype instanceof errors.DomainError))",
        '    .map(([k, v]) => [k, Reflect.construct(v as never, [[], "message"]).name]),',
        ');',
      ].join('\n'),
    );
    expect(probe.names).toEqual(Object.fromEntries(DOMAIN_ERRORS.map(([k]) => [k, k])));
  });

  it("hold, in each task's bundle, every error name its states retry or catch", () => {
    const checked: string[] = [];
    for (const machine of localMachines()) {
      const states = Object.entries(
        (machine.definition as { States: Record<string, Record<string, unknown>> }).States,
      );
      for (const [stateName, state] of states) {
        // A service integration (MediaConvert's createJob.sync) runs no bundle of the app.
        if (state.Type !== 'Task' || String(state.Resource).includes(':states:::')) continue;
        const fn = FUNCTION_NAMES.find((name) => localFunctionArn(name) === state.Resource);
        expect(fn, `${machine.name}: ${stateName}`).toBeDefined();
        const handlers = [
          ...((state.Retry ?? []) as unknown[]),
          ...((state.Catch ?? []) as unknown[]),
        ] as Array<{
          ErrorEquals: string[];
        }>;
        // The transient list is on every Task; VersionConflict in it is checked below, per store user.
        const named = handlers
          .flatMap((h) => h.ErrorEquals)
          .filter((name) => DOMAIN_NAMES.has(name) && !TRANSIENT_ERRORS.includes(name));
        const text = bundleText(bundles[fn as FunctionName]);
        for (const name of named) {
          expect(text.includes(`"${name}"`), `${fn} (${machine.name}: ${stateName}) must keep ${name}`).toBe(
            true,
          );
          checked.push(`${fn}:${name}`);
        }
      }
    }
    // ChannelNotIdle and InputNotDetached at least.
    expect(new Set(checked.map((c) => c.split(':')[1])).size).toBeGreaterThanOrEqual(2);
  });

  it('hold VersionConflict (retried by every Task) in the bundle of every function that writes the table', () => {
    // These write clip records only, which carry no version (core/clip-store.ts): no VersionConflict.
    const clipRecordsOnly: readonly string[] = ['split-archive', 'prepare-export', 'record-export'];
    const storeUsers = FUNCTION_NAMES.filter(
      (name) =>
        (FUNCTIONS[name].environment as readonly string[]).includes('TABLE_NAME') &&
        !clipRecordsOnly.includes(name),
    );
    expect(storeUsers.length).toBeGreaterThan(15);
    for (const name of storeUsers) {
      const text = bundleText(bundles[name]);
      expect(text.includes('"VersionConflict"'), name).toBe(true);
    }
  });

  it('hold, in the split bundle, the names of the errors the API turns into 4xx', () => {
    const text = bundleText(bundles['split-archive']);
    for (const name of ['InvalidRequest', 'InvalidArchivePath'])
      expect(text.includes(`"${name}"`), name).toBe(true);
  });
});
