import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_OPTIONS,
  bundleFunction,
  bundleFunctionSync,
  ROOT,
  VERSION_ONLY_PACKAGE_JSON,
} from '../../../infra/bundling/bundle.js';

const work = mkdtempSync(path.join(tmpdir(), 'bundle-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the function bundles', () => {
  it("CDK's synchronous bundling writes the same bytes as the bundles local mode and the tests run", async () => {
    const async = await bundleFunction('api', path.join(work, 'async'));
    bundleFunctionSync('api', path.join(work, 'sync'));
    expect(readFileSync(path.join(work, 'sync', 'index.mjs')).equals(readFileSync(async.file))).toBe(true);
  }, 60_000);

  it("keep of each SDK client's package.json only the version its User-Agent reads", async () => {
    const bundle = await bundleFunction('api', path.join(work, 'package-json'));
    const clients = Object.keys(bundle.metafile.inputs).filter((input) =>
      /@aws-sdk\/client-[^/]+\/package\.json$/.test(input),
    );
    expect(clients.length).toBeGreaterThanOrEqual(4);
    const code = readFileSync(bundle.file, 'utf8');
    for (const input of clients) {
      const { version, description } = JSON.parse(readFileSync(path.join(ROOT, input), 'utf8'));
      expect(code).toContain(`{version:"${version}"}`);
      expect(code).not.toContain(description);
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
