/**
 * Bundles the API Lambda the way the CDK NodejsFunction does (esbuild, platform node, target node22,
 * ESM, minified, tree-shaken, every dependency inside, @aws-sdk included) into dist/api/index.mjs,
 * and prints its size. `npm run build` and `npm run bench:api` both call it.
 *
 * The AWS SDK is bundled rather than taken from the Lambda runtime: the runtime's SDK version is not
 * pinned, and a bundled, tree-shaken client loads faster than the runtime's whole package.
 */
import { mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export const API_ENTRY = `${root}api/handler.ts`;
export const API_BUNDLE = `${root}dist/api/index.mjs`;

/** The esbuild options of the API function; infra/ should pass the same to NodejsFunction's `bundling`. */
export const API_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  treeShaking: true,
  // ESM entry points of the SDK and Powertools tree-shake; their CommonJS builds do not.
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies still call require() for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
} as const satisfies BuildOptions;

export interface ApiBundle {
  file: string;
  bytes: number;
  /** Bytes of output per package, largest first. */
  packages: Array<{ name: string; bytes: number }>;
}

export async function buildApiBundle(outfile = API_BUNDLE): Promise<ApiBundle> {
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({ ...API_BUNDLE_OPTIONS, entryPoints: [API_ENTRY], outfile, metafile: true });
  const output = Object.values(result.metafile.outputs)[0];
  if (!output) throw new Error('esbuild wrote no output');
  return { file: outfile, bytes: output.bytes, packages: bytesPerPackage(result.metafile) };
}

function bytesPerPackage(metafile: Metafile): Array<{ name: string; bytes: number }> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match?.[1] ?? '(this project)';
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export const kb = (bytes: number) => (bytes / 1024).toFixed(1);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bundle = await buildApiBundle();
  console.log(`${relative(root, bundle.file)}: ${kb(bundle.bytes)} KB (${bundle.bytes} bytes, minified)`);
  for (const p of bundle.packages.slice(0, 8))
    console.log(`  ${p.name.padEnd(40)} ${kb(p.bytes).padStart(7)} KB`);
}
