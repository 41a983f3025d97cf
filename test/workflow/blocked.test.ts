// A run that hits an error retrying cannot fix parks as `blocked` with the remote error code;
// ops resume it with a corrected spec (nothing finished is redone) or end it with abort.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { sandboxSpec } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { approveAs } from '../helpers/approve.js';
import { SEEDED_AUTH_POLICY } from '../../sandbox/mosip/index.js';
import type { PolicyRecord } from '../../sandbox/mosip/state.js';
import { abortRun, Refused, retryRun, startOnboarding } from '../../src/cli/runs.js';
import type { OnboardingResult } from '../../src/workflows/messages.js';
import { OnboardingOutcome } from '../../src/workflows/search-attributes.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { signer } from '../helpers/identities.js';

const UNKNOWN_POLICY = 'no-such-policy';

/** Sends `retry` signed by `ops-1`, as the CLI does; a refusal fails the test with the workflow's own reason. */
async function retry(handle: WorkflowHandle, opts: { comment?: string; spec?: DeploymentSpec }): Promise<void> {
  try {
    await retryRun(handle, signer('ops-1'), opts);
  } catch (err) {
    if (err instanceof Refused) throw new Error(`retry refused: ${err.message}`);
    throw err;
  }
}

describe('blocked runs', () => {
  const h = useWorkflowHarness();

  const withPolicy = (id: string, policy: string) =>
    sandboxSpec(h.sandbox, id, (s) => {
      s.partners.auth.policy = policy;
    });

  /** A published copy of the seeded Auth policy under another name, for a test to deactivate. */
  function publishPolicyCopy(name: string): PolicyRecord {
    const seeded = [...h.sandbox.mosip.state.policies.values()].find((p) => p.name === SEEDED_AUTH_POLICY)!;
    const copy: PolicyRecord = { ...seeded, id: randomUUID(), name };
    h.sandbox.mosip.state.policies.set(copy.id, copy);
    return copy;
  }

  test('a policy deactivated mid-run blocks at the mapping step with the PMS code; retry with a fixed spec completes the run', async () => {
    const policy = publishPolicyCopy('openg2p-auth-policy-withdrawn');
    const spec = withPolicy('blocked-retry', policy.name);
    const auth = spec.partners.auth.id;
    // Withdraw the policy once the run is past its prerequisite checks (while it uploads the partner certificate).
    const certificateUpload = h.sandbox.faults.add({
      method: 'POST',
      path: '/v1/partnermanager/partners/certificate/upload',
      match: [`"${auth}"`],
      kind: 'latency',
      latencyMs: 300,
      count: 1,
    });
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await certificateUpload.firstHit;
    policy.isActive = false;

    const blocked = await waitForStatus(handle, (s) => s.phase === 'blocked');
    assert.equal(blocked.currentStep, 'requestAuthPolicyMapping');
    assert.equal(blocked.lastError?.step, 'requestAuthPolicyMapping');
    assert.equal(blocked.lastError?.code, 'PMS_PMP_019');
    assert.match(blocked.lastError?.message ?? '', /not active/);
    assert.ok(blocked.lastError?.hint, 'says what to do');
    assert.deepEqual(
      blocked.steps.filter((s) => s.status === 'completed').map((s) => s.name),
      ['verifyPrerequisites', 'createAuthPartner'],
    );

    const fixed = withPolicy('blocked-retry', SEEDED_AUTH_POLICY);
    await retry(handle, { comment: 'policy withdrawn; use the published one', spec: fixed });
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await approveAs(handle, 'alice', 'checked');
    const result = await handle.result();

    assert.equal(result.outcome, 'completed');
    assert.equal(result.steps.find((s) => s.name === 'requestAuthPolicyMapping')!.retries, 1);
    const counts = h.sandbox.mosip.counts();
    assert.equal(counts.partners[auth], 1, 'the partner made before the block is not made again');
    assert.equal(counts.policyMappings[`${auth}/${SEEDED_AUTH_POLICY}`], 1);
    assert.equal(counts.policyMappings[`${auth}/${policy.name}`], undefined);
    assert.equal(h.sandbox.esignet.createCounts[result.ids.oidcClientId!], 1);
  });

  test('an unknown policy name blocks the run with the policy named; retry with a fixed spec completes it', async () => {
    const handle = await startOnboarding(h.client, withPolicy('blocked-unknown', UNKNOWN_POLICY), signer('staff-1'));
    const blocked = await waitForStatus(handle, (s) => s.phase === 'blocked');
    // The prerequisite checks catch it when the policy manager is reachable; PMS itself at the mapping step otherwise.
    if (blocked.lastError?.step === 'requestAuthPolicyMapping') assert.equal(blocked.lastError.code, 'PMS_PRT_098');
    else assert.equal(blocked.lastError?.step, 'verifyPrerequisites');
    assert.match(blocked.lastError?.message ?? '', new RegExp(`${UNKNOWN_POLICY}|policy`, 'i'));

    await retry(handle, { spec: withPolicy('blocked-unknown', SEEDED_AUTH_POLICY) });
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await approveAs(handle, 'bob');
    assert.equal((await handle.result()).outcome, 'completed');
    assert.equal(h.sandbox.mosip.counts().partners['blocked-unknown-auth'], 1);
  });

  test('abort ends a blocked run and nothing after the blocked step is made', async () => {
    const spec = withPolicy('blocked-abort', UNKNOWN_POLICY);
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'blocked');
    await abortRun(handle, signer('ops-1'), 'deployment cancelled');
    const result = await handle.result();

    assert.equal(result.outcome, 'aborted');
    // Temporal says COMPLETED for every outcome; the search attribute tells an aborted run apart.
    assert.equal((await handle.describe()).typedSearchAttributes.get(OnboardingOutcome), 'aborted');
    // A closed run is not "no such run": ops are told how it ended.
    await assert.rejects(
      abortRun(handle, signer('ops-1'), 'again'),
      (err: unknown) => err instanceof Refused && /has ended \(aborted\)/.test(err.message),
    );
    assert.equal(result.ids.oidcClientId, undefined);
    assert.ok(result.steps.some((s) => s.status === 'blocked' || s.status === 'skipped'));
    const counts = h.sandbox.mosip.counts();
    assert.ok((counts.partners[spec.partners.auth.id] ?? 0) <= 1);
    assert.equal(counts.partners[spec.partners.misp.id], undefined, 'no step after the blocked one ran');
    assert.equal(Object.keys(counts.policyMappings).filter((k) => k.startsWith(`${spec.partners.auth.id}/`)).length, 0);
  });
});
