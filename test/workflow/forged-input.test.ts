// Anyone with access to the Temporal namespace can start a run with a plain payload
// (`temporal workflow start --input '{…}'`), skipping the codec and the CLI's checks. The
// worker's codec decodes only what it encrypted, so such a run never gets to act.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { temporal as protoTypes } from '@temporalio/proto';
import { ONBOARDING_WORKFLOW_TYPE, TASK_QUEUE } from '../../src/workflows/messages.js';
import { onboardingWorkflowId } from '../../src/spec/derived.js';
import { sandboxSpec } from '../helpers/fixtures.js';
import { useWorkflowHarness } from '../helpers/harness.js';

type HistoryEvent = protoTypes.api.history.v1.IHistoryEvent;

/** The run's history once `until` holds (the worker's refusal is one workflow task away). */
async function historyWhen(
  handle: WorkflowHandle,
  until: (events: HistoryEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<HistoryEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    if (until(events)) return events;
    if (Date.now() > deadline) throw new Error(`history never matched; ${events.length} events`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('a run started past the codec', () => {
  const h = useWorkflowHarness();

  test('a run started with a plain JSON input by a client without the codec never reaches its first activity', async () => {
    const spec = sandboxSpec(h.sandbox, 'forged-input');
    // What `temporal workflow start --input` sends: the spec as plain JSON, no codec.
    const outsider = new Client({ connection: h.env.connection, namespace: h.env.namespace ?? 'default' });
    const handle = await outsider.workflow.start(ONBOARDING_WORKFLOW_TYPE, {
      workflowId: onboardingWorkflowId(spec.deploymentId),
      taskQueue: TASK_QUEUE,
      args: [spec],
    });
    try {
      const events = await historyWhen(handle, (e) => e.some((event) => event.workflowTaskFailedEventAttributes));
      const refusal = events.find((e) => e.workflowTaskFailedEventAttributes)!.workflowTaskFailedEventAttributes!
        .failure;
      const read = await decodeOptionalFailureToOptionalError(h.client.workflow.options.loadedDataConverter, refusal);
      assert.match(read?.message ?? '', /refused a payload that is not encrypted \(encoding "json\/plain"/);

      assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes).length, 0, 'no activity was scheduled');
      assert.equal(events.filter((e) => e.workflowTaskCompletedEventAttributes).length, 0, 'the run made no progress');
      assert.deepEqual(h.sandbox.requests, [], 'MOSIP, e-Signet and OpenG2P received nothing');
      assert.equal(
        (await handle.describe()).status.name,
        'RUNNING',
        'it stays stuck at its first task, for ops to terminate',
      );
    } finally {
      await handle.terminate('test: forged input');
    }
  });
});
