// The workflow bundle prepared at build time (`npm run build` → dist/workflow-bundle.js), so a
// worker starts without running webpack. A manifest beside it holds a hash of every compiled
// file the bundle was made from: a bundle older than the code (someone ran `tsc` alone) is
// never used, because it would run yesterday's workflow code.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { FAILURE_CONVERTER_PATH } from './security/data-converter.js';

/** dist/workflow-bundle.js, next to dist/src/ where this module is compiled. */
export const DEFAULT_WORKFLOW_BUNDLE_PATH = resolve(import.meta.dirname, '..', 'workflow-bundle.js');

/**
 * Modules every cached workflow shares instead of evaluating its own copy: pure code with no
 * workflow state, which the SDK deep-freezes. The decision verifier and its curves cost each
 * cached run ~200 KB when not shared (`npm run bench`, parked runs). Not zod schemas: zod
 * defines methods on first use, which a frozen schema refuses.
 */
export const SHARED_WORKFLOW_MODULES: readonly string[] = [
  '@noble/curves/ed25519.js',
  '@noble/curves/nist.js',
  '@noble/hashes/sha2.js',
  resolve(import.meta.dirname, 'approvals', 'jws.js'),
  resolve(import.meta.dirname, 'approvals', 'decision.js'),
  resolve(import.meta.dirname, 'approvals', 'command.js'),
  resolve(import.meta.dirname, 'spec', 'derived.js'),
];

const manifestSchema = z.object({
  /** @temporalio/workflow version bundled; the worker's SDK must match it. */
  sdkVersion: z.string(),
  /** Compiled project files in the bundle (relative to the manifest) → sha256 of their content. */
  inputs: z.record(z.string(), z.string()),
  /** SHARED_WORKFLOW_MODULES it was built with (project paths relative to the manifest). */
  sharedModules: z.array(z.string()),
  /** The failure converter embedded (relative to the manifest); absent in bundles made before it existed. */
  failureConverter: z.string().optional(),
});
export type WorkflowBundleManifest = z.infer<typeof manifestSchema>;

export function manifestPathFor(codePath: string): string {
  return codePath.replace(/\.js$/, '.json');
}

export function bundledSdkVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@temporalio/workflow/package.json') as { version: string }).version;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function sharedModulesFrom(base: string): string[] {
  return SHARED_WORKFLOW_MODULES.map((m) => (isAbsolute(m) ? relative(base, m) : m));
}

/** The manifest for a bundle built from `inputFiles` (absolute paths of our compiled modules). */
export function manifestFor(codePath: string, inputFiles: Iterable<string>): WorkflowBundleManifest {
  const base = dirname(codePath);
  const inputs: Record<string, string> = {};
  for (const file of [...inputFiles].sort()) inputs[relative(base, file)] = sha256(file);
  return {
    sdkVersion: bundledSdkVersion(),
    inputs,
    sharedModules: sharedModulesFrom(base),
    failureConverter: relative(base, FAILURE_CONVERTER_PATH),
  };
}

export type BundleLookup = { codePath: string } | { reason: string };

/** The prepared bundle when it exists and matches the compiled code and SDK; otherwise why not. */
export function findWorkflowBundle(codePath = DEFAULT_WORKFLOW_BUNDLE_PATH): BundleLookup {
  const manifestPath = manifestPathFor(codePath);
  if (!existsSync(codePath) || !existsSync(manifestPath)) return { reason: `no prepared bundle at ${codePath}` };
  let manifest: WorkflowBundleManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch (err) {
    return { reason: `${manifestPath} is unreadable (${(err as Error).message.split('\n')[0]})` };
  }
  if (manifest.sdkVersion !== bundledSdkVersion()) {
    return {
      reason: `${codePath} was built with @temporalio/workflow ${manifest.sdkVersion}, this worker has ${bundledSdkVersion()}`,
    };
  }
  const base = dirname(codePath);
  if (manifest.sharedModules.join('\n') !== sharedModulesFrom(base).join('\n'))
    return { reason: `${codePath} was built with other shared modules` };
  // Without it, workflow failures would reach history with their messages in plain text.
  if (manifest.failureConverter !== relative(base, FAILURE_CONVERTER_PATH))
    return { reason: `${codePath} was built without the failure converter ${FAILURE_CONVERTER_PATH}` };
  for (const [file, hash] of Object.entries(manifest.inputs)) {
    const path = resolve(base, file);
    if (!existsSync(path) || sha256(path) !== hash) return { reason: `${codePath} is older than ${path}` };
  }
  return { codePath };
}
