// Every release's stored histories (test/histories/<version>/, captured from real runs by
// `npm run capture-histories`) replay against today's workflow code: a change that would break
// a run parked by an earlier release fails here, naming the history file and the event.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findWorkflowBundle } from '../../src/workflow-bundle.js';
import {
  MANIFEST_FILE,
  readCorpus,
  replayFailures,
  CORPUS_DIR,
  type CorpusManifest,
} from '../helpers/history-corpus.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

describe('the history corpus', () => {
  const corpus = readCorpus();

  test('holds, for every release, the runs a new build meets: finished, blocked, waiting and continued', () => {
    const versions = readdirSync(CORPUS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    assert.ok(versions.length >= 1, 'at least one release captured');
    for (const version of versions) {
      const manifest = JSON.parse(readFileSync(join(CORPUS_DIR, version, MANIFEST_FILE), 'utf8')) as CorpusManifest;
      const outcomes = new Set(manifest.histories.map((h) => h.closedAs ?? 'open'));
      for (const expected of ['completed', 'rejected', 'aborted', 'timed_out', 'CONTINUED_AS_NEW', 'open']) {
        assert.ok(outcomes.has(expected), `${version} has a ${expected} history`);
      }
      assert.deepEqual(
        corpus
          .filter((h) => h.version === version)
          .map((h) => h.name.slice(version.length + 1))
          .sort(),
        manifest.histories.map((h) => h.file).sort(),
        `${version}: the manifest lists every history file`,
      );
    }
  });

  test("every history of every release replays against today's workflow bundle without nondeterminism", async () => {
    const bundle = findWorkflowBundle();
    assert.ok('codePath' in bundle, 'npm run build prepared the workflow bundle');
    const failures = await replayFailures({ codePath: bundle.codePath }, corpus);
    assert.deepEqual(failures, [], `histories that no longer replay:\n${failures.join('\n')}`);
  });
});
