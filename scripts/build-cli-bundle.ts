// `npm run build`, after tsc: bundles the compiled CLI (dist/src/cli/app.js) with the packages it
// loads into dist/cli-bundle/<content hash>/ (webpack, a few seconds; skipped when nothing
// changed), writes the manifest the CLI checks before using it, and runs the CLI once so V8's
// code cache is there for the first real command. See src/cli/bundle.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CLI_BUNDLE_DIR,
  CLI_BUNDLE_ENV,
  codeCachePath,
  findCliBundle,
  manifestPath,
  packageVersion,
  readManifest,
  sha256,
  type CliBundleManifest,
} from '../src/cli/bundle.js';
import { FAILURE_CONVERTER_PATH } from '../src/security/data-converter.js';
import { projectRoot } from '../src/project-root.js';
import type { CliBundleLoaderOptions } from './cli-bundle-loader.js';

const distDir = resolve(projectRoot, 'dist');
const APP_ENTRY = join(distDir, 'src', 'cli', 'app.js');
const LAUNCHER = join(distDir, 'src', 'cli', 'main.js');
const LOADER = join(import.meta.dirname, 'cli-bundle-loader.js');
const MAIN_FILE = 'main.cjs';
const GENERATION = /^[0-9a-f]{16}$/;
/** Bundles a CLI may have found just before a rebuild are kept this long. */
const KEEP_RECENT_MS = 10 * 60_000;

// The subset of webpack's API used here. webpack comes with @temporalio/worker (which bundles
// workflows with it), so it is loaded from there rather than declared a second time.
interface Stats {
  hasErrors(): boolean;
  hasWarnings(): boolean;
  toString(options: object): string;
  compilation: { fileDependencies: Iterable<string> };
}
interface Compiler {
  run(callback: (err: Error | null, stats?: Stats) => void): void;
  close(callback: (err?: Error | null) => void): void;
}
type Webpack = ((config: object) => Compiler) & { version: string };

function loadWebpack(): Webpack {
  const fromProject = createRequire(import.meta.url);
  return createRequire(fromProject.resolve('@temporalio/worker'))('webpack') as Webpack;
}

/** What the bundle was made with, so an unchanged build can be skipped. */
function builderHash(webpack: Webpack): string {
  return createHash('sha256')
    .update(readFileSync(import.meta.filename))
    .update(readFileSync(LOADER))
    .update(webpack.version)
    .digest('hex');
}

function webpackConfig(outDir: string): object {
  const loaderOptions: CliBundleLoaderOptions = { bundleDir: outDir, distDir, converters: [FAILURE_CONVERTER_PATH] };
  return {
    mode: 'production',
    target: 'node20',
    context: projectRoot,
    entry: { main: APP_ENTRY },
    output: {
      path: outDir,
      filename: MAIN_FILE,
      chunkFilename: '[id].cjs',
      chunkFormat: 'commonjs',
      library: { type: 'commonjs2' },
    },
    // The native worker runtime: connection.ts loads it only for workers, never in the CLI.
    externals: { '@temporalio/worker': 'commonjs @temporalio/worker' },
    externalsPresets: { node: true },
    // __dirname stays the bundle's own folder at run time; the loader builds paths on it.
    node: { __dirname: false, __filename: false, global: false },
    module: { rules: [{ test: /\.js$/, use: [{ loader: LOADER, options: loaderOptions }] }] },
    // Readable output and NODE_ENV read at run time, as the modules do.
    optimization: { minimize: false, nodeEnv: false, mangleExports: false },
    devtool: false,
    performance: { hints: false },
    cache: false,
    infrastructureLogging: { level: 'error' },
  };
}

function runWebpack(webpack: Webpack, config: object): Promise<Stats> {
  const compiler = webpack(config);
  return new Promise((resolveRun, reject) => {
    compiler.run((err, stats) => {
      compiler.close(() => (err || !stats ? reject(err ?? new Error('webpack returned no stats')) : resolveRun(stats)));
    });
  });
}

/** The package folder of a file under node_modules (`…/node_modules/@scope/name`). */
function packageRootOf(file: string): string | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const parts = file.slice(at + marker.length).split(sep);
  const name = parts[0]!.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1);
  return join(file.slice(0, at + marker.length), ...name);
}

function manifestFor(main: string, files: Iterable<string>, builder: string): CliBundleManifest {
  const inputs: Record<string, string> = {};
  const packages: Record<string, string> = {};
  for (const file of [...files].sort()) {
    if (!existsSync(file) || !statSync(file).isFile()) continue;
    const root = packageRootOf(file);
    if (root) {
      const packageJson = join(root, 'package.json');
      const version = packageVersion(packageJson);
      if (version) packages[relative(CLI_BUNDLE_DIR, packageJson)] = version;
    } else if (file.startsWith(distDir + sep) && !file.startsWith(CLI_BUNDLE_DIR + sep)) {
      inputs[relative(CLI_BUNDLE_DIR, file)] = sha256(file);
    }
  }
  if (Object.keys(inputs).length === 0 || Object.keys(packages).length === 0) {
    throw new Error(
      'webpack reported no project or package inputs; cannot write a manifest that detects a stale bundle',
    );
  }
  return { format: 1, main, inputs, packages, builder };
}

/** A name for the bundle's content: the same build twice lands in the same folder. */
function contentHash(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort())
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(dir, name)));
  return hash.digest('hex').slice(0, 16);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes bundles no manifest points at any more, and what crashed builds left behind. */
function removeOldBundles(keep: Set<string>): void {
  for (const name of readdirSync(CLI_BUNDLE_DIR)) {
    const path = join(CLI_BUNDLE_DIR, name);
    const build = /^\.build-(\d+)$/.exec(name);
    if (build ? isRunning(Number(build[1])) : !GENERATION.test(name) || keep.has(name)) continue;
    if (!build && Date.now() - statSync(path).mtimeMs < KEEP_RECENT_MS) continue;
    rmSync(path, { recursive: true, force: true });
  }
}

/** Runs the CLI once (`--help`: no server needed) so it writes the code cache the next commands use. */
function warmCodeCache(mainPath: string): boolean {
  const env = { ...process.env };
  delete env[CLI_BUNDLE_ENV];
  spawnSync(process.execPath, [LAUNCHER, '--help'], { env, stdio: 'ignore', timeout: 60_000 });
  return existsSync(codeCachePath(mainPath));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quiet: { type: 'boolean' } } });
  const log = (line: string) => values.quiet || console.log(line);
  const started = performance.now();
  const webpack = loadWebpack();
  const builder = builderHash(webpack);
  const previous = readManifest();
  const current = findCliBundle();
  if (previous?.builder === builder && 'mainPath' in current && existsSync(current.mainPath)) {
    if (!existsSync(codeCachePath(current.mainPath)) && !warmCodeCache(current.mainPath))
      console.error('build-cli-bundle: the CLI wrote no code cache; it will start slower');
    log(`CLI bundle: ${relative(projectRoot, current.mainPath)} is up to date`);
    return;
  }

  const buildDir = join(CLI_BUNDLE_DIR, `.build-${process.pid}`);
  rmSync(buildDir, { recursive: true, force: true });
  const stats = await runWebpack(webpack, webpackConfig(buildDir));
  if (stats.hasErrors() || stats.hasWarnings()) {
    // A warning here (a dynamic require webpack cannot follow) is a command failing at run time.
    rmSync(buildDir, { recursive: true, force: true });
    throw new Error(
      `webpack could not bundle the CLI as it runs:\n${stats.toString({ all: false, errors: true, warnings: true })}`,
    );
  }
  const generation = contentHash(buildDir);
  const generationDir = join(CLI_BUNDLE_DIR, generation);
  try {
    renameSync(buildDir, generationDir);
  } catch (err) {
    // Another build made the same bundle first.
    if (!existsSync(join(generationDir, MAIN_FILE))) throw err;
    rmSync(buildDir, { recursive: true, force: true });
  }
  const manifest = manifestFor(`${generation}/${MAIN_FILE}`, stats.compilation.fileDependencies, builder);
  // Renamed into place: a CLI starting meanwhile reads the old manifest or the new one, whole.
  const partial = `${manifestPath()}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(partial, manifestPath());
  const keep = new Set([generation]);
  if (previous) keep.add(previous.main.split('/')[0]!);
  removeOldBundles(keep);

  const mainPath = join(generationDir, MAIN_FILE);
  if (!existsSync(codeCachePath(mainPath)) && !warmCodeCache(mainPath))
    console.error('build-cli-bundle: the CLI wrote no code cache; it will start slower');
  const size = readdirSync(generationDir).reduce((sum, name) => sum + statSync(join(generationDir, name)).size, 0);
  log(
    `CLI bundle: ${relative(projectRoot, generationDir)} (${(size / 1024 / 1024).toFixed(2)} MB with its code cache, ${Object.keys(manifest.inputs).length} project modules, ${Object.keys(manifest.packages).length} packages, ${Math.round(performance.now() - started)} ms)`,
  );
}

// The bundle only makes the CLI start faster; without it the CLI loads as modules. A failure here
// (say, an SDK update the loader does not know) must not fail `npm install` or the build.
main().catch((err) => {
  console.error(
    `build-cli-bundle: no CLI bundle, the CLI will load as modules (~0.2 s slower to start): ${(err as Error).message}`,
  );
});
