// Approvals that hold up in an audit: only proven approvers decide, once, freshly, never the
// initiator; N of M; PMS-portal approvals noticed; and the audit export of a closed run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { sandboxSpec } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { approveAs, decisionToken, rejectAs } from '../helpers/approve.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { loadAudit } from '../../src/cli/audit.js';
import {
  approveSignal,
  approveUpdate,
  auditTrailQuery,
  statusQuery,
  type OnboardingResult,
} from '../../src/workflows/messages.js';
import type { DeploymentSpecInput } from '../../src/spec/schema.js';
import { approver } from '../helpers/approvers.js';
import { signer } from '../helpers/identities.js';

const refusedWith = (pattern: RegExp) => (err: unknown) =>
  err instanceof WorkflowUpdateFailedError && pattern.test(String(err.cause?.message))
    ? true
    : assert.fail(`unexpected: ${String((err as WorkflowUpdateFailedError)?.cause?.message ?? err)}`);

function updateEventCount(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): number {
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('approval rules on a real Temporal server', () => {
  const h = useWorkflowHarness();

  async function waitingRun(id: string, change?: (s: DeploymentSpecInput) => void, initiator = 'staff-1') {
    const spec = sandboxSpec(h.sandbox, id, change);
    const handle = await startOnboarding(h.client, spec, signer(initiator));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    return { spec, handle };
  }

  test('forged, replayed, stale and second decisions are refused and leave no history event', async () => {
    const { handle } = await waitingRun('refusals', (s) => {
      s.approval.approvers.push(approver('carol'));
      s.approval.required = 2;
    });
    const forged = (await decisionToken(handle, 'mallory', 'approve')).split('.');
    const aliceClaims = (await decisionToken(handle, 'alice', 'approve')).split('.');
    // mallory's signature over a payload claiming to be alice's decision
    const forgedToken = `${forged[0]}.${aliceClaims[1]}.${forged[2]}`;
    await assert.rejects(
      handle.executeUpdate(approveUpdate, { args: [{ token: forgedToken }] }),
      refusedWith(/signature does not verify with alice's public key/),
    );
    await assert.rejects(
      handle.executeUpdate(approveUpdate, { args: [{ token: 'not-a-jws' }] }),
      refusedWith(/unsigned messages are refused/),
    );
    const stale = await decisionToken(handle, 'alice', 'approve', undefined, {
      iat: Math.floor(Date.now() / 1000) - 600,
    });
    await assert.rejects(
      handle.executeUpdate(approveUpdate, { args: [{ token: stale }] }),
      refusedWith(/stale signatures are refused/),
    );
    const otherRun = await decisionToken(handle, 'alice', 'approve', undefined, { rid: 'another-run' });
    await assert.rejects(
      handle.executeUpdate(approveUpdate, { args: [{ token: otherRun }] }),
      refusedWith(/signed for another run/),
    );
    assert.equal(updateEventCount(await handle.fetchHistory()), 0, 'no refused decision reached history');

    const good = await decisionToken(handle, 'alice', 'approve', 'first look');
    await handle.executeUpdate(approveUpdate, { args: [{ token: good }] });
    await assert.rejects(
      handle.executeUpdate(approveUpdate, { args: [{ token: good }] }),
      refusedWith(/already used: replays are refused/),
    );
    await assert.rejects(approveAs(handle, 'alice', 'again'), refusedWith(/alice has already decided/));
    assert.equal(updateEventCount(await handle.fetchHistory()), 1);
    const status = await handle.query(statusQuery);
    assert.equal(status.phase, 'awaiting_approval', 'one approval of two is not enough');
    assert.deepEqual(status.pendingApproval?.awaiting, ['bob', 'carol']);
    await handle.terminate('test done');
  });

  test('the person who started the run cannot approve it', async () => {
    const { handle } = await waitingRun('four-eyes', undefined, 'alice');
    await assert.rejects(
      approveAs(handle, 'alice'),
      refusedWith(/alice started this run \(or holds the key that did\) and cannot also decide it/),
    );
    await approveAs(handle, 'bob', 'second pair of eyes');
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    assert.equal(result.initiator, 'alice');
  });

  test('two of three approvals complete the run, and the decision is recorded on PMS', async () => {
    const { spec, handle } = await waitingRun('two-of-three', (s) => {
      s.approval.approvers.push(approver('carol'));
      s.approval.required = 2;
    });
    await approveAs(handle, 'carol', 'ok');
    await approveAs(handle, 'bob', 'ok too');
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(
      result.approvals.map((a) => a.approver),
      ['carol', 'bob'],
    );
    const puts = h.sandbox.requests.filter(
      (r) => r.method === 'PUT' && r.path === `/v1/partnermanager/partners/policy/${result.ids.policyMappingKey}`,
    );
    assert.equal(puts.length, 1, 'the approval was recorded on PMS once');
    assert.equal((puts[0]!.body as { request: { status: string } }).request.status, 'Approved');
    assert.equal(result.ids.authPartnerId, spec.partners.auth.id);
  });

  test('an approval given in the PMS portal is noticed by polling', async () => {
    const { handle } = await waitingRun('portal');
    const status = await handle.query(statusQuery);
    h.sandbox.mosip.approveMapping(status.pendingApproval!.mappingKey);
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    assert.ok(
      result.audit.some((e) => e.event === 'approval.pms.approved'),
      'audit says it was approved in PMS',
    );
  });

  test('without the right to record it on PMS, a signed approval waits until PMS shows it approved', async () => {
    const { handle } = await waitingRun('pms-only', (s) => {
      s.approval.recordInPms = false;
    });
    await approveAs(handle, 'alice', 'fine by me');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await handle.query(statusQuery)).phase, 'awaiting_approval');
    h.sandbox.mosip.approveMapping((await handle.query(statusQuery)).pendingApproval!.mappingKey);
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    assert.equal(
      h.sandbox.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/policy/${result.ids.policyMappingKey}`))
        .length,
      0,
      'the run did not record an approval on PMS itself',
    );
    assert.ok(result.audit.some((e) => e.event === 'approval.approve' && e.actor === 'alice'));
    assert.ok(result.audit.some((e) => e.event === 'approval.pms.approved'));
  });

  test('a refused signal is audited, not applied; a valid one decides', async () => {
    const { handle } = await waitingRun('signals');
    await handle.signal(approveSignal, { token: await decisionToken(handle, 'mallory', 'approve') });
    await waitForStatus(handle, () => true);
    const trail = await handle.query(auditTrailQuery);
    const refused = trail.find((e) => e.event === 'approval.refused');
    assert.match(refused?.detail ?? '', /signal: mallory is not an approver/);
    assert.equal((await handle.query(statusQuery)).phase, 'awaiting_approval');
    await handle.signal(approveSignal, { token: await decisionToken(handle, 'bob', 'approve', 'via signal') });
    assert.equal((await handle.result()).outcome, 'completed');
  });

  test('a rejection by one approver ends the run even when two approvals are required', async () => {
    const { handle } = await waitingRun('veto', (s) => {
      s.approval.required = 2;
    });
    await approveAs(handle, 'alice', 'ok');
    await rejectAs(handle, 'bob', 'the organisation is not registered');
    const result = await handle.result();
    assert.equal(result.outcome, 'rejected');
  });

  test('the audit export of a closed run, read from history alone, matches what happened', async () => {
    const { handle } = await waitingRun('audited');
    await approveAs(handle, 'bob', 'audited approval');
    const result = await handle.result();
    const audit = await loadAudit(h.client, 'audited', true);
    assert.equal(audit.source, 'history');
    assert.equal(audit.status, 'COMPLETED');
    assert.deepEqual(
      audit.entries.map(({ verified: _v, verification: _w, ...e }) => e),
      result.audit,
    );
    const started = audit.entries.filter((e) => e.event === 'step.started').map((e) => e.step);
    const completed = audit.entries.filter((e) => e.event === 'step.completed').map((e) => e.step);
    assert.deepEqual(
      started,
      result.steps.map((s) => s.name),
    );
    assert.deepEqual(completed, started);
    const decision = audit.entries.find((e) => e.event === 'approval.approve')!;
    assert.equal(decision.actor, 'bob');
    assert.equal(decision.detail, 'audited approval');
    assert.equal(decision.verified, true);
    assert.ok(decision.token && decision.token.split('.').length === 3);
    assert.equal(audit.entries.at(-1)?.event, 'run.completed');
    const client2Ids = audit.entries.find(
      (e) => e.event === 'step.completed' && e.step === 'registerOidcClient',
    )?.detail;
    assert.match(client2Ids ?? '', new RegExp(result.ids.oidcClientId!));
  });
});
