import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_OPTIONS,
  bundleAll,
  bundleAllSync,
  bundleFunction,
  bundleText,
  coldStartOutputs,
  ROOT,
  VERSION_ONLY_PACKAGE_JSON,
} from '../../../infra/bundling/bundle.js';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionSpec } from '../../../infra/functions.js';

const work = mkdtempSync(path.join(tmpdir(), 'bundle-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const file = path.join(dir, f);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });

/** The relative specifiers a bundle file imports, statically or with `import()`. */
const relativeImports = (code: string): string[] =>
  [...code.matchAll(/\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] as string);

describe('the function bundles', () => {
  it('gives the CDK app, synchronously, the very bundles local mode and the tests run', async () => {
    const root = path.join(work, 'bundles');
    const built = bundleAllSync(root);
    const same = await bundleAll(root);
    for (const name of FUNCTION_NAMES) {
      expect(built[name].file, name).toBe(same[name].file);
      expect(readFileSync(built[name].file).equals(readFileSync(same[name].file)), name).toBe(true);
    }
    expect(new Set(FUNCTION_NAMES.map((name) => readFileSync(built[name].file, 'utf8'))).size).toBe(
      FUNCTION_NAMES.length,
    );
  }, 180_000);

  it("keep of each SDK client's package.json only the version its User-Agent reads", async () => {
    const bundle = await bundleFunction('api', path.join(work, 'package-json'));
    const clients = Object.keys(bundle.metafile.inputs).filter((input) =>
      /@aws-sdk\/client-[^/]+\/package\.json$/.test(input),
    );
    expect(clients.length).toBeGreaterThanOrEqual(4);
    const code = bundleText(bundle);
    for (const input of clients) {
      const { version, description } = JSON.parse(readFileSync(path.join(ROOT, input), 'utf8'));
      expect(code).toContain(`{version:"${version}"}`);
      expect(code).not.toContain(description);
    }
  }, 60_000);

  it("leave out of the API's cold start the clients only some routes use, and load them when asked", async () => {
    const bundle = await bundleFunction('api', path.join(work, 'cold-start'));
    const cold = new Set(coldStartOutputs(bundle.metafile, bundle.file));
    const coldInputs = Object.entries(bundle.metafile.outputs)
      .filter(([out]) => cold.has(out))
      .flatMap(([, output]) => Object.keys(output.inputs));
    expect(coldInputs.some((input) => input.includes('@aws-sdk/client-dynamodb/'))).toBe(true);
    for (const lazy of [
      'client-s3',
      'client-medialive',
      'client-cloudwatch',
      'client-scheduler',
      'xml-builder',
    ])
      expect(
        coldInputs.filter((input) => input.includes(`/${lazy}/`)),
        lazy,
      ).toEqual([]);
    // The isolated modules are bundles of their own beside the entry, and import as they are.
    for (const module of ['archive-client', 'schedules-client']) {
      const loaded = (await import(pathToFileURL(path.join(bundle.dir, `${module}.mjs`)).href)) as object;
      expect(Object.keys(loaded).length, module).toBe(1);
    }
  }, 60_000);

  it('resolve every relative import of every file to a file of the same bundle, from wherever it sits', async () => {
    // Lambda deploys the folder as it is: an `import()` of an isolated module rewritten as
    // `./<module>.mjs` works only from a file beside the entry, not from one under chunks/.
    const bundles = await bundleAll();
    let dynamic = 0;
    for (const name of FUNCTION_NAMES) {
      const { dir } = bundles[name];
      for (const file of filesUnder(dir)) {
        const code = readFileSync(file, 'utf8');
        dynamic += (code.match(/\bimport\s*\(\s*["']\.{1,2}\//g) ?? []).length;
        for (const specifier of relativeImports(code)) {
          const target = path.resolve(path.dirname(file), specifier);
          expect(
            target.startsWith(`${dir}${path.sep}`) && existsSync(target),
            `${name}: ${path.relative(dir, file)} imports ${specifier}`,
          ).toBe(true);
        }
      }
    }
    // The API's lazy routes and clients at least.
    expect(dynamic).toBeGreaterThan(10);
  }, 180_000);

  it('keep out of the isolated modules the classes the API maps to HTTP answers with instanceof', async () => {
    // An isolated module is a bundle of its own: a class in it is a copy, which `instanceof` in the
    // entry's error mapping (api/http.ts) does not recognize, and its error would answer 500.
    const bundle = await bundleFunction('api', path.join(work, 'isolated'));
    const isolated = (FUNCTIONS.api as FunctionSpec).isolated ?? [];
    expect(isolated.length).toBeGreaterThan(0);
    for (const module of isolated) {
      const output = Object.entries(bundle.metafile.outputs).find(
        ([out]) => path.resolve(ROOT, out) === path.join(bundle.dir, `${path.basename(module, '.ts')}.mjs`),
      );
      expect(output, module).toBeDefined();
      const inputs = Object.keys(output?.[1].inputs ?? {});
      expect(inputs, module).toContain(module);
      for (const mapped of ['core/errors.ts', 'api/http.ts']) expect(inputs, module).not.toContain(mapped);
    }
  }, 60_000);

  it('keep the name of every error a function throws, class names minified or not', async () => {
    const entry = path.join(work, 'errors-entry.ts');
    const from = (file: string) => JSON.stringify(path.join(ROOT, file));
    writeFileSync(
      entry,
      [
        `export * from ${from('core/errors.ts')};`,
        `export { InvalidArchiveBucket, InvalidArchivePath } from ${from('core/archive-naming.ts')};`,
        `export { InvalidChannelSpec } from ${from('core/encoder-profile.ts')};`,
        `export { HttpError } from ${from('api/http.ts')};`,
      ].join('\n'),
    );
    const outfile = path.join(work, 'errors', 'index.mjs');
    await build({ ...BUNDLE_OPTIONS, plugins: [VERSION_ONLY_PACKAGE_JSON], entryPoints: [entry], outfile });
    const bundled = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
    const classes = Object.entries(bundled).filter(
      (entry): entry is [string, new (...args: unknown[]) => Error] =>
        typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Error,
    );
    expect(classes.length).toBeGreaterThan(15);
    for (const [exported, ErrorClass] of classes) {
      const error = new ErrorClass([], 'x', 'y', 'z');
      expect(error.name, exported).toBe(exported);
    }
  }, 60_000);
});
