// Worker sizing knobs: defaults that keep a worker small, and a refusal that names the
// variable when a value is wrong (the worker must not start half-configured).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_CACHED_WORKFLOWS, workerTuningFromEnv } from '../../src/worker-tuning.js';

test('without settings the worker caches a bounded number of runs', () => {
  assert.deepEqual(workerTuningFromEnv({}), { maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS });
});

test('settings from the environment reach the worker options', () => {
  const tuning = workerTuningFromEnv({
    G2P_ONBOARD_MAX_CACHED_WORKFLOWS: '0',
    G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES: '40',
    G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
    G2P_ONBOARD_WORKFLOW_THREADS: '2',
  });
  assert.deepEqual(tuning, { maxCachedWorkflows: 0, maxConcurrentActivityTaskExecutions: 40, maxConcurrentWorkflowTaskExecutions: 8, workflowThreadPoolSize: 2 });
});

test('a wrong value is refused with the variable, the value and what is expected', () => {
  assert.throws(() => workerTuningFromEnv({ G2P_ONBOARD_MAX_CACHED_WORKFLOWS: 'lots' }), /G2P_ONBOARD_MAX_CACHED_WORKFLOWS="lots": .*whole number/);
  assert.throws(() => workerTuningFromEnv({ G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS: '1' }), /G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS="1": .*at least 2/);
});
