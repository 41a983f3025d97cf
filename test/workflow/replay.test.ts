// Determinism: a waiting run leaves the worker's cache and is replayed from history whenever
// something happens to it, so every branch the wait takes must come out the same on replay.
// A worker with no cache replays every workflow task from the start; the finished history is
// then replayed once more against the current workflow code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { sandboxSpec } from '../helpers/fixtures.js';
import { approveAs } from '../helpers/approve.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { findWorkflowBundle } from '../../src/workflow-bundle.js';
import type { OnboardingResult } from '../../src/workflows/messages.js';
import { signer } from '../helpers/identities.js';

describe('replaying waiting runs', () => {
  const h = useWorkflowHarness({}, { maxCachedWorkflows: 0 });

  test('with no cache, a run that is reminded, escalated and watches PMS completes on approval, and its history replays', async () => {
    const spec = sandboxSpec(h.sandbox, 'replayed', (s) => {
      s.approval.pollInterval = '1s';
      s.approval.reminderInterval = '1s';
      s.approval.escalateAfter = '2s';
    });
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    // Long enough for the PMS watch to start, a few reminders and the escalation.
    await new Promise((r) => setTimeout(r, 3_500));
    await approveAs(handle, 'alice', 'after reminders');
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    assert.ok(
      result.audit.filter((e) => e.event === 'approval.reminder').length >= 2,
      'reminders were sent while waiting',
    );
    assert.equal(result.audit.filter((e) => e.event === 'approval.escalation').length, 1);

    const history = await handle.fetchHistory();
    const bundle = findWorkflowBundle();
    assert.ok('codePath' in bundle, 'npm run build prepared the workflow bundle');
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: bundle.codePath }, dataConverter: dataConverterFor(h.codec) },
      history,
      handle.workflowId,
    );
  });
});
