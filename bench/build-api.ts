/**
 * Bundles the API Lambda with the app's one bundling definition (infra/bundling/bundle.ts, the same
 * esbuild build the CDK app deploys, local mode runs and the tests run) into dist/api/index.mjs, and
 * prints its size, per package and per module. `npm run build` and `npm run bench:api` both call it.
 *
 * The AWS SDK is bundled rather than taken from the Lambda runtime: the runtime's SDK version is not
 * pinned, and a bundled, tree-shaken client loads faster than the runtime's whole package.
 */
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleFunction, coldStartBytes, coldStartOutputs } from '../infra/bundling/bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export const API_BUNDLE_DIR = `${root}dist/api`;

export interface ApiBundle {
  file: string;
  /** What a cold start loads: the entry and the chunks it imports statically. */
  bytes: number;
  /** The entry alone. */
  entryBytes: number;
  /** Everything deployed: the entry and every chunk (some loaded by a route's first request). */
  totalBytes: number;
  /** Bytes of the cold start's output per package, largest first. */
  packages: Array<{ name: string; bytes: number }>;
  /** Bytes of output per module, largest first. */
  modules: Array<{ name: string; bytes: number }>;
}

export async function buildApiBundle(outdir = API_BUNDLE_DIR): Promise<ApiBundle> {
  const bundle = await bundleFunction('api', outdir);
  const cold = new Set(coldStartOutputs(bundle.metafile, bundle.file));
  return {
    file: bundle.file,
    bytes: coldStartBytes(bundle.metafile, bundle.file),
    entryBytes: bundle.bytes,
    totalBytes: bundle.totalBytes,
    packages: bytesPer(
      bundle.metafile,
      cold,
      (input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1],
    ),
    modules: bytesPer(bundle.metafile, cold, (input) => input.replace(/^.*node_modules\//, '')),
  };
}

function bytesPer(
  metafile: Metafile,
  outputs: Set<string>,
  key: (input: string) => string | undefined,
): Array<{ name: string; bytes: number }> {
  const totals = new Map<string, number>();
  for (const [out, output] of Object.entries(metafile.outputs)) {
    if (!outputs.has(out)) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = key(input) ?? '(this project)';
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export const kb = (bytes: number) => (bytes / 1024).toFixed(1);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bundle = await buildApiBundle();
  console.log(
    `${relative(root, bundle.file)}: cold start loads ${kb(bundle.bytes)} KB (${bundle.bytes} bytes, minified; entry ${kb(bundle.entryBytes)} KB); deployed with its chunks ${kb(bundle.totalBytes)} KB`,
  );
  for (const p of bundle.packages.slice(0, 10))
    console.log(`  ${p.name.padEnd(40)} ${kb(p.bytes).padStart(7)} KB`);
  if (process.argv.includes('--modules')) {
    console.log('largest modules:');
    for (const m of bundle.modules.slice(0, 40))
      console.log(`  ${m.name.padEnd(90)} ${kb(m.bytes).padStart(7)} KB`);
  }
}
