/**
 * The one bundling definition of every Lambda function of the app. The CDK app deploys these
 * bundles (infra/aws/app-function.ts calls `bundleFunctionSync` as its local bundler), local mode runs
 * them, and the workflow tests run them: what is tested is what is deployed.
 *
 * One ESM file per function (`index.mjs`, handler `index.handler`), minified, every dependency inside
 * (the AWS SDK too: the version we test is the version that runs, and the runtime's copy is not
 * pinned). A Lambda error reaches Step Functions by its `name`: every error class sets it as a
 * string, since the minifier renames classes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../functions.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE_FILE = 'index.mjs';
export const BUNDLE_HANDLER = 'index.handler';

export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  // Lambda's Node.js 22 runtime.
  target: 'node22',
  format: 'esm',
  minify: true,
  // Class and function names are minified too: every error that leaves a function names itself
  // with a string (core/errors.ts `errorName`, the SDK's exceptions, HttpError...), which is what
  // Step Functions and the logs read, and the SDK names clients and commands with strings. Keeping
  // names cost every bundle about 6% (esbuild wraps each function and class to set its name).
  keepNames: false,
  treeShaking: true,
  // ESM builds of the SDK and Powertools tree-shake; their CommonJS builds do not.
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies still call require() for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  // Smaller stand-ins for parts of the SDK no function uses (each file says why).
  alias: {
    '@aws-sdk/credential-provider-node': path.join(ROOT, 'infra/bundling/env-credentials.ts'),
    '@smithy/core/event-streams': path.join(ROOT, 'infra/bundling/no-event-streams.ts'),
    '@aws-sdk/middleware-endpoint-discovery': path.join(ROOT, 'infra/bundling/no-endpoint-discovery.ts'),
  },
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
} as const satisfies BuildOptions;

/**
 * The SDK clients import their whole package.json (2 KB of dependency lists each) to read one
 * field, `version`, for the User-Agent: each is reduced to that field.
 */
export const VERSION_ONLY_PACKAGE_JSON: Plugin = {
  name: 'sdk-client-package-json-version-only',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ },
      (args) => {
        const { version } = JSON.parse(readFileSync(args.path, 'utf8')) as { version: string };
        return { contents: JSON.stringify({ version }), loader: 'json' };
      },
    );
  },
};

function optionsFor(name: FunctionName, outdir: string): BuildOptions {
  return {
    ...BUNDLE_OPTIONS,
    plugins: [VERSION_ONLY_PACKAGE_JSON],
    entryPoints: [path.join(ROOT, FUNCTIONS[name].entry)],
    outfile: path.join(outdir, BUNDLE_FILE),
    absWorkingDir: ROOT,
    metafile: true,
  };
}

const THIS_FILE = fileURLToPath(import.meta.url);

/**
 * Every function's bundle, synchronously (what the CDK app needs while it builds its stacks): the
 * cached bundles when they are current, else `bundleAll` in a child process (esbuild's plugins do
 * not run in its synchronous API). The CDK app deploys these very folders: the bytes the tests and
 * local mode run are the bytes Lambda runs.
 */
export function bundleAllSync(root = DEFAULT_ROOT): Record<FunctionName, FunctionBundle> {
  const cached = readCached(root, path.join(root, 'inputs.json'));
  if (cached) return cached;
  execFileSync(process.execPath, ['--import', 'tsx', THIS_FILE, '--all', root], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const built = readCached(root, path.join(root, 'inputs.json'));
  if (!built) throw new Error(`the bundles under ${root} are missing or stale after building them`);
  return built;
}

export interface FunctionBundle {
  name: FunctionName;
  /** Folder holding `index.mjs`. */
  dir: string;
  file: string;
  bytes: number;
}

export async function bundleFunction(
  name: FunctionName,
  outdir: string,
): Promise<FunctionBundle & { metafile: Metafile }> {
  mkdirSync(outdir, { recursive: true });
  const result = await build(optionsFor(name, outdir));
  const file = path.join(outdir, BUNDLE_FILE);
  return { name, dir: outdir, file, bytes: statSync(file).size, metafile: result.metafile as Metafile };
}

/**
 * Every function's bundle under `root/<hash>/<name>/`, built once per content: the hash covers the
 * bundling options and every source file any bundle read (esbuild's metafile), so a change to any
 * of them builds anew and an unchanged tree reuses the bundles.
 */
const DEFAULT_ROOT = path.join(ROOT, 'node_modules', '.cache', 'live-bundles');

export async function bundleAll(root = DEFAULT_ROOT): Promise<Record<FunctionName, FunctionBundle>> {
  const manifest = path.join(root, 'inputs.json');
  const cached = readCached(root, manifest);
  if (cached) return cached;
  const staging = path.join(root, `build-${process.pid}-${Date.now()}`);
  const built = await Promise.all(
    FUNCTION_NAMES.map((name) => bundleFunction(name, path.join(staging, name))),
  );
  const inputs = [...new Set(built.flatMap((b) => Object.keys(b.metafile.inputs)))].sort();
  const hash = contentHash(inputs);
  const final = path.join(root, hash);
  if (!existsSync(final)) renameSync(staging, final);
  else rmSync(staging, { recursive: true, force: true });
  writeFileSync(manifest, JSON.stringify({ hash, inputs }));
  return bundlesIn(final);
}

function contentHash(inputs: string[]): string {
  // This file too: its plugin and options shape every bundle.
  const hash = createHash('sha256').update(JSON.stringify(BUNDLE_OPTIONS)).update(readFileSync(THIS_FILE));
  for (const input of inputs) {
    hash.update(input);
    const file = path.resolve(ROOT, input);
    hash.update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex').slice(0, 24);
}

function readCached(root: string, manifest: string): Record<FunctionName, FunctionBundle> | undefined {
  if (!existsSync(manifest)) return undefined;
  try {
    const { hash, inputs } = JSON.parse(readFileSync(manifest, 'utf8')) as { hash: string; inputs: string[] };
    // A new entry module is not among the recorded inputs: every entry must be.
    const entries = FUNCTION_NAMES.map((name) => FUNCTIONS[name].entry);
    if (!entries.every((entry) => inputs.includes(entry))) return undefined;
    if (contentHash(inputs) !== hash || !existsSync(path.join(root, hash))) return undefined;
    return bundlesIn(path.join(root, hash));
  } catch {
    return undefined;
  }
}

function bundlesIn(dir: string): Record<FunctionName, FunctionBundle> {
  return Object.fromEntries(
    FUNCTION_NAMES.map((name) => {
      const file = path.join(dir, name, BUNDLE_FILE);
      return [name, { name, dir: path.dirname(file), file, bytes: statSync(file).size }];
    }),
  ) as Record<FunctionName, FunctionBundle>;
}

// `node --import tsx infra/bundling/bundle.ts --all [root]`: what bundleAllSync runs.
if (process.argv[1] && path.resolve(process.argv[1]) === THIS_FILE) {
  const [flag, root] = process.argv.slice(2);
  if (flag !== '--all') {
    console.error('usage: bundle.ts --all [root]');
    process.exit(2);
  }
  await bundleAll(root ?? DEFAULT_ROOT);
}
