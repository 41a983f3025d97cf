// The lint's workflow-code rules (no Node built-ins, nothing non-deterministic) must cover every
// module that ends up in the workflow bundle, or a new import would slip past them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../src/project-root.js';
import {
  DEFAULT_WORKFLOW_BUNDLE_PATH,
  manifestPathFor,
  type WorkflowBundleManifest,
} from '../../src/workflow-bundle.js';

/** `src/workflows/**\/*.ts`, `test/upgrade/onboarding-*.ts` → a RegExp over project-relative paths. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split(/(\*\*\/|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

test('every module of the workflow bundle is linted as workflow code', async () => {
  const { WORKFLOW_CODE } = (await import(pathToFileURL(join(projectRoot, 'eslint.config.js')).href)) as {
    WORKFLOW_CODE: string[];
  };
  const manifest = JSON.parse(
    readFileSync(manifestPathFor(DEFAULT_WORKFLOW_BUNDLE_PATH), 'utf8'),
  ) as WorkflowBundleManifest;
  const globs = WORKFLOW_CODE.map(globToRegExp);
  const sources = Object.keys(manifest.inputs).map((js) => js.replace(/\.js$/, '.ts'));
  assert.ok(sources.includes('src/workflows/onboarding.ts'), 'the manifest lists the bundle inputs');
  assert.deepEqual(
    sources.filter((ts) => !globs.some((g) => g.test(ts))),
    [],
    'bundled but not linted as workflow code: add to WORKFLOW_CODE in eslint.config.js',
  );
});
