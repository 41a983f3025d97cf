// The CLI prepared at build time (`npm run build` → dist/cli-bundle/): the compiled CLI and its
// packages bundled by webpack (what only spec, signing and audit commands need is in chunks
// loaded on demand), with a V8 code cache beside it. Loading that instead of ~300 separate
// modules is what keeps `g2p-onboard status` well under half a second. A manifest holds
// a hash of every compiled project file and the version of every package bundled: a bundle
// older than the code (someone ran `tsc` alone) is never used, the CLI then loads as modules.
// This module runs before anything else in the CLI, so it loads node: modules only.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Script } from 'node:vm';

/** dist/cli-bundle, next to dist/src/ where this module is compiled. */
export const CLI_BUNDLE_DIR = resolve(import.meta.dirname, '..', '..', 'cli-bundle');
/** Set to 0 to load the CLI as separate modules even when a fresh bundle exists. Read here, raw, because it decides what loads; src/config/cli.ts lists and checks it with the rest. */
export const CLI_BUNDLE_ENV = 'G2P_ONBOARD_CLI_BUNDLE';

const MANIFEST_FORMAT = 1;

export interface CliBundleManifest {
  format: typeof MANIFEST_FORMAT;
  /** The bundle's entry file, relative to the bundle folder. */
  main: string;
  /** Compiled project files in the bundle (relative to the bundle folder) → sha256 of their content. */
  inputs: Record<string, string>;
  /** package.json of every package bundled (relative to the bundle folder) → its version. */
  packages: Record<string, string>;
  /** sha256 of the build script that made it; only the build looks at it, to skip needless rebuilds. */
  builder: string;
}

export function manifestPath(dir = CLI_BUNDLE_DIR): string {
  return resolve(dir, 'manifest.json');
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function packageVersion(packageJson: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export function readManifest(dir = CLI_BUNDLE_DIR): CliBundleManifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as CliBundleManifest;
    const isMap = (v: unknown) =>
      typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');
    if (
      manifest.format !== MANIFEST_FORMAT ||
      typeof manifest.main !== 'string' ||
      !isMap(manifest.inputs) ||
      !isMap(manifest.packages)
    )
      return undefined;
    return manifest;
  } catch {
    return undefined;
  }
}

export type CliBundleLookup = { mainPath: string } | { reason: string };

/** The prepared bundle when it exists and matches the compiled code and installed packages; otherwise why not. */
export function findCliBundle(dir = CLI_BUNDLE_DIR): CliBundleLookup {
  const manifest = readManifest(dir);
  if (!manifest) return { reason: `no prepared CLI bundle in ${dir}` };
  for (const [file, hash] of Object.entries(manifest.inputs)) {
    const path = resolve(dir, file);
    let actual;
    try {
      actual = sha256(path);
    } catch {
      return { reason: `${path} is gone since the CLI bundle was built` };
    }
    if (actual !== hash) return { reason: `the CLI bundle is older than ${path}` };
  }
  for (const [file, version] of Object.entries(manifest.packages)) {
    const path = resolve(dir, file);
    if (packageVersion(path) !== version)
      return { reason: `the CLI bundle was built with ${dirname(path)} ${version}` };
  }
  return { mainPath: resolve(dir, manifest.main) };
}

export function codeCachePath(mainPath: string): string {
  return `${mainPath}.v8cache`;
}

/**
 * Runs the bundle as the CommonJS module it is, with V8's code cache: compiling the bundle's
 * few megabytes of source costs more than the cache takes to read. A missing or refused cache
 * (another Node version) is written once the command is done; a read-only install just goes without.
 * Undefined when the bundle is gone (a rebuild replaced it after the lookup).
 */
export function runCliBundle<T>(mainPath: string): T | undefined {
  let source: string;
  try {
    source = readFileSync(mainPath, 'utf8');
  } catch {
    return undefined;
  }
  const cachePath = codeCachePath(mainPath);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    // Built without one, or removed: made below.
  }
  const script = new Script(Module.wrap(source), { filename: mainPath, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    process.once('beforeExit', () => {
      // Written aside and renamed: a CLI starting meanwhile reads the old cache or the new one, whole.
      const partial = `${cachePath}.${process.pid}.tmp`;
      try {
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cachePath);
      } catch {
        try {
          unlinkSync(partial);
        } catch {
          // Nothing was written.
        }
      }
    });
  }
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (
    exports: T,
    require: NodeJS.Require,
    module: { exports: T },
    filename: string,
    dirname: string,
  ) => void;
  wrapper.call(module.exports, module.exports, createRequire(mainPath), module, mainPath, dirname(mainPath));
  return module.exports;
}

/** The bundled CLI's exports, or undefined when it should load as modules (no fresh bundle, or turned off). */
export function loadCliBundle<T>(env: NodeJS.ProcessEnv = process.env): T | undefined {
  if (env[CLI_BUNDLE_ENV] === '0') return undefined;
  const lookup = findCliBundle();
  return 'mainPath' in lookup ? runCliBundle<T>(lookup.mainPath) : undefined;
}
