// The provisioned Temporal binaries run the servers the workflow and e2e tests depend on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createTestEnv, createTimeSkippingEnv } from '../helpers/temporal.js';
import { ONBOARDING_SEARCH_ATTRIBUTE_NAMES } from '../../src/workflows/search-attributes.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

test('the local test environment has the three onboarding search attributes registered as Keyword', async () => {
  const env = await createTestEnv();
  try {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
      namespace: env.namespace ?? 'default',
    });
    const ours = Object.fromEntries(
      Object.entries(customAttributes ?? {}).filter(([name]) => name.startsWith('Onboarding')),
    );
    // 2 = INDEXED_VALUE_TYPE_KEYWORD
    assert.deepEqual(ours, Object.fromEntries(ONBOARDING_SEARCH_ATTRIBUTE_NAMES.map((name) => [name, 2])));
  } finally {
    await env.teardown();
  }
});

test('the time-skipping environment sleeps one day of workflow time in a few seconds of wall time', async () => {
  const env = await createTimeSkippingEnv();
  try {
    assert.equal(env.supportsTimeSkipping, true);
    const taskQueue = 'binaries-test';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../helpers/timer-workflows.js', import.meta.url)),
    });
    const elapsedWorkflowMs = await worker.runUntil(async () => {
      const started = Date.now();
      const result = await env.client.workflow.execute('sleepOneDay', { taskQueue, workflowId: 'sleep-one-day' });
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms of wall time`);
      return result as number;
    });
    assert.ok(elapsedWorkflowMs >= 24 * 3600 * 1000, `workflow saw only ${elapsedWorkflowMs} ms pass`);
  } finally {
    await env.teardown();
  }
});

test("bin/temporal, the CLI the README's commands are written with, reaches a running server with no PATH set up", async () => {
  const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
  // Every `temporal <verb>` the README tells someone to type goes through bin/temporal.
  const bare = readme.match(/(?<![/\w-])temporal (workflow|operator|server|schedule)\b/g) ?? [];
  assert.deepEqual(bare, [], 'README commands must be written as bin/temporal …');
  const env = await createTestEnv();
  try {
    const address = env.connection.options.address;
    const listed = spawnSync(
      join(projectRoot, 'bin', 'temporal'),
      ['workflow', 'list', '--address', address, '--namespace', env.namespace ?? 'default'],
      // PATH without any temporal on it: bin/temporal finds $TEMPORAL_CLI_PATH or the one in .tools/.
      { encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin' } },
    );
    assert.equal(listed.status, 0, listed.stderr);
  } finally {
    await env.teardown();
  }
});
