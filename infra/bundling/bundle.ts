/**
 * The one bundling definition of every Lambda function of the app. The CDK app deploys these
 * bundles (infra/aws/app-function.ts calls `bundleFunctionSync` as its local bundler), local mode runs
 * them, and the workflow tests run them: what is tested is what is deployed.
 *
 * One ESM entry per function (`index.mjs`, handler `index.handler`), minified, every dependency inside
 * (the AWS SDK too: the version we test is the version that runs, and the runtime's copy is not
 * pinned). A module the function imports with `import()` goes into a chunk of its own beside the
 * entry (`chunks/`), loaded when first imported: the API keeps the SDK clients only some routes use
 * out of its cold start (api/lazy.ts); the task functions have one file. A Lambda error reaches Step Functions by its `name`: every error class sets it as a
 * string, since the minifier renames classes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName, type FunctionSpec } from '../functions.js';

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

/** A function's output folder: `index.mjs`, its chunks under `chunks/`, its isolated modules. */
const SPLIT_OUTPUT = {
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  // ESM everywhere: Lambda reads a .js file as CommonJS unless a package.json says otherwise.
  outExtension: { '.js': '.mjs' },
} as const satisfies BuildOptions;

/** The text of a bundle's every file (entry, chunks, isolated modules), for checks of what it holds. */
export function bundleText(bundle: Pick<FunctionBundle, 'dir'>): string {
  const chunks = path.join(bundle.dir, 'chunks');
  return [
    ...readdirSync(bundle.dir)
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => path.join(bundle.dir, f)),
    ...(existsSync(chunks) ? readdirSync(chunks).map((f) => path.join(chunks, f)) : []),
  ]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

/** The file an isolated module is bundled to, beside the entry. */
const isolatedFile = (module: string) => `${path.basename(module, '.ts')}.mjs`;

/**
 * Leaves an isolated module's `import()` to run as is, pointing at its own bundle: its code and what
 * only it imports stay out of the entry and its chunks.
 */
function isolatedModules(modules: readonly string[]): Plugin {
  const targets = new Map(modules.map((m) => [path.join(ROOT, m), isolatedFile(m)]));
  return {
    name: 'isolated-modules',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const target = targets.get(path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts'));
        return target ? { path: `./${target}`, external: true } : undefined;
      });
    },
  };
}

function optionsFor(name: FunctionName, outdir: string): BuildOptions {
  const spec: FunctionSpec = FUNCTIONS[name];
  return {
    ...BUNDLE_OPTIONS,
    ...SPLIT_OUTPUT,
    plugins: [VERSION_ONLY_PACKAGE_JSON, isolatedModules(spec.isolated ?? [])],
    entryPoints: [path.join(ROOT, spec.entry)],
    outdir,
    absWorkingDir: ROOT,
    metafile: true,
  };
}

/** One isolated module's own bundle: everything it imports inside, no chunk. */
function isolatedOptions(module: string, outdir: string): BuildOptions {
  return {
    ...BUNDLE_OPTIONS,
    outExtension: SPLIT_OUTPUT.outExtension,
    plugins: [VERSION_ONLY_PACKAGE_JSON],
    entryPoints: [path.join(ROOT, module)],
    outdir,
    entryNames: path.basename(isolatedFile(module), '.mjs'),
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
  /** The entry's bytes: what every cold start loads. */
  bytes: number;
  /** The entry's and its chunks' bytes: what is deployed. */
  totalBytes: number;
}

/**
 * Bytes a cold start loads: the entry and the chunks it imports statically, transitively (esbuild's
 * metafile: `import-statement` edges; `dynamic-import` ones load on first use).
 */
export function coldStartBytes(metafile: Metafile, entryFile: string): number {
  return coldStartOutputs(metafile, entryFile).reduce(
    (sum, out) => sum + (metafile.outputs[out]?.bytes ?? 0),
    0,
  );
}

/** The outputs (paths as the metafile names them) a cold start loads. */
export function coldStartOutputs(metafile: Metafile, entryFile: string): string[] {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((out) => path.resolve(ROOT, out) === path.resolve(entryFile));
  if (!entry) throw new Error(`${entryFile} is not an output of this build`);
  const seen = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const i of outputs[out]?.imports ?? [])
      if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return [...seen];
}

/** Bytes of the entry, its chunks and its isolated modules' bundles. */
function totalBytesIn(dir: string): number {
  const chunks = path.join(dir, 'chunks');
  const files = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => path.join(dir, f)),
    ...(existsSync(chunks) ? readdirSync(chunks).map((f) => path.join(chunks, f)) : []),
  ];
  return files.reduce((sum, file) => sum + statSync(file).size, 0);
}

function mergeMetafiles(metafiles: Metafile[]): Metafile {
  return {
    inputs: Object.assign({}, ...metafiles.map((m) => m.inputs)),
    outputs: Object.assign({}, ...metafiles.map((m) => m.outputs)),
  };
}

export async function bundleFunction(
  name: FunctionName,
  outdir: string,
): Promise<FunctionBundle & { metafile: Metafile }> {
  // Chunks are named by their content: an earlier build's would stay beside the new ones.
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build(optionsFor(name, outdir));
  const isolated = await Promise.all(
    (FUNCTIONS[name] as FunctionSpec).isolated?.map((m) => build(isolatedOptions(m, outdir))) ?? [],
  );
  const file = path.join(outdir, BUNDLE_FILE);
  return {
    name,
    dir: outdir,
    file,
    bytes: statSync(file).size,
    totalBytes: totalBytesIn(outdir),
    metafile: mergeMetafiles([result.metafile as Metafile, ...isolated.map((r) => r.metafile as Metafile)]),
  };
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
  const hash = createHash('sha256')
    .update(JSON.stringify(BUNDLE_OPTIONS))
    .update(JSON.stringify(FUNCTIONS))
    .update(readFileSync(THIS_FILE));
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

function bundlesIn(root: string): Record<FunctionName, FunctionBundle> {
  return Object.fromEntries(
    FUNCTION_NAMES.map((name) => {
      const dir = path.join(root, name);
      const file = path.join(dir, BUNDLE_FILE);
      return [name, { name, dir, file, bytes: statSync(file).size, totalBytes: totalBytesIn(dir) }];
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
