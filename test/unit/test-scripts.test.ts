// `npm run test:unit|test:workflow|test:e2e` run parts of what `npm test` (and CI) runs: together,
// every test, each once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';

const scripts = (
  JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The test folders a script's `find dist/test/<folder> …` runs. */
function foldersOf(script: string): string[] {
  return [...scripts[script]!.matchAll(/dist\/test\/([\w-]+)/g)].map((m) => m[1]!);
}

test('every test folder is run by exactly one of npm run test:unit, test:workflow and test:e2e', () => {
  const withTests = readdirSync(join(projectRoot, 'test'), { withFileTypes: true })
    .filter(
      (d) => d.isDirectory() && readdirSync(join(projectRoot, 'test', d.name)).some((f) => f.endsWith('.test.ts')),
    )
    .map((d) => d.name)
    .sort();
  const parts = ['test:unit', 'test:workflow', 'test:e2e'].flatMap(foldersOf);
  assert.deepEqual([...parts].sort(), withTests);
  assert.match(scripts.test!, /find dist\/test -name/, 'npm test runs every test folder');
});
