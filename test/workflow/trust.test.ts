// Trust boundaries on a real Temporal server: only people of the worker's identity registry
// start, decide on, retry and abort a run, each proven by a signature; a spec cannot bring its
// own approvers' keys, change them later, or smuggle state into a run; nothing refused touches
// a remote system.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { sandboxSpec } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { approveAs, commandToken, decisionToken } from '../helpers/approve.js';
import { signer } from '../helpers/identities.js';
import { approverPrivateKey } from '../helpers/approvers.js';
import { abortRun, Refused, retryRun, startOnboarding } from '../../src/cli/runs.js';
import { loadAudit } from '../../src/cli/audit.js';
import { signCommand } from '../../src/approvals/sign.js';
import { specDigest } from '../../src/approvals/command.js';
import { onboardingWorkflowId } from '../../src/spec/derived.js';
import { MAX_AUDITED_REFUSALS } from '../../src/workflows/approval.js';
import {
  abortUpdate,
  approveSignal,
  ONBOARDING_WORKFLOW_TYPE,
  RUN_REFUSED,
  TASK_QUEUE,
  type OnboardingResult,
} from '../../src/workflows/messages.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { SEEDED_AUTH_POLICY } from '../../sandbox/mosip/index.js';

describe('trust boundaries', () => {
  const h = useWorkflowHarness();

  /** Requests the sandbox received that mention this deployment's partners or provider. */
  const requestsFor = (spec: DeploymentSpec) =>
    h.sandbox.requests.filter(
      (r) =>
        JSON.stringify(r).includes(spec.partners.auth.id) || JSON.stringify(r).includes(spec.openg2p.provider.name),
    );

  /** Starts the onboarding type directly, as anyone with Temporal access could. */
  async function rawStart(spec: unknown, ...rest: unknown[]): Promise<WorkflowHandle> {
    const id = (spec as DeploymentSpec).deploymentId;
    return h.client.workflow.start(ONBOARDING_WORKFLOW_TYPE, {
      workflowId: onboardingWorkflowId(id),
      taskQueue: TASK_QUEUE,
      args: [spec, ...rest],
    });
  }

  async function refusal(handle: WorkflowHandle): Promise<string> {
    const err = await handle.result().then(
      () => assert.fail('the run was not refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const cause = err.cause as { type?: string; message: string };
    assert.equal(cause.type, RUN_REFUSED);
    return cause.message;
  }

  test('a run started by someone outside the registry, unsigned, or for another spec is refused before any system is touched', async () => {
    const spec = sandboxSpec(h.sandbox, 'trust-start');
    const before = requestsFor(spec).length;

    // mallory is not in the worker's identity registry.
    const byMallory = await startOnboarding(h.client, spec, signer('mallory'));
    assert.match(await refusal(byMallory), /mallory is not an initiator of this run in the worker's identity registry/);

    // A raw start with no signature at all.
    assert.match(await refusal(await rawStart(spec, { token: 'staff-1' })), /unsigned messages are refused/);

    // staff-1's genuine signature, over another spec than the one sent.
    const other = sandboxSpec(h.sandbox, 'trust-start', (s) => {
      s.oidcClient.name = 'Another client';
    });
    const token = signCommand(approverPrivateKey('staff-1'), {
      action: 'start',
      wid: onboardingWorkflowId(spec.deploymentId),
      actor: 'staff-1',
      digest: specDigest(other),
    });
    assert.match(await refusal(await rawStart(spec, { token })), /signed for another spec/);

    assert.equal(requestsFor(spec).length, before, 'no refused run sent a request');
  });

  test('a spec that names an approver the registry does not know is refused at admission', async () => {
    const spec = sandboxSpec(h.sandbox, 'trust-unknown-approver', (s) => {
      s.approval.approvers = [{ name: 'mallory' }];
    });
    const message = await refusal(await startOnboarding(h.client, spec, signer('staff-1')));
    assert.match(message, /mallory is not an approver in the worker's identity registry/);
    assert.equal(requestsFor(spec).length, 0);
  });

  test('carried state given at start is refused: only a continue-as-new of the run itself may carry it', async () => {
    const spec = sandboxSpec(h.sandbox, 'trust-forged-state');
    const start = {
      token: signCommand(approverPrivateKey('staff-1'), {
        action: 'start',
        wid: onboardingWorkflowId(spec.deploymentId),
        actor: 'staff-1',
        digest: specDigest(spec),
      }),
    };
    const forged = {
      run: {
        phase: 'awaiting_approval',
        steps: [],
        audit: [],
        ids: {},
        approvals: [],
        startedAt: new Date().toISOString(),
        initiator: 'staff-1',
      },
      approval: { open: true, decisions: [{ approver: 'alice', decision: 'approve' }] },
    };
    assert.match(await refusal(await rawStart(spec, start, forged)), /carry state only from a continue-as-new/);
    assert.equal(requestsFor(spec).length, 0);
  });

  test('a spec that bypassed the CLI is validated again by the worker: a path-like deployment id is refused', async () => {
    const spec = sandboxSpec(h.sandbox, 'trust-path-id');
    const evil = { ...spec, deploymentId: '../../x' };
    const start = {
      token: signCommand(approverPrivateKey('staff-1'), {
        action: 'start',
        wid: onboardingWorkflowId(evil.deploymentId),
        actor: 'staff-1',
        digest: specDigest(evil),
      }),
    };
    assert.match(await refusal(await rawStart(evil, start)), /deploymentId/);
    assert.equal(h.sandbox.requests.filter((r) => JSON.stringify(r).includes('../../x')).length, 0);
  });

  test('retry and abort must be signed by an operator, and a corrected spec cannot swap the approvers', async () => {
    const spec = sandboxSpec(h.sandbox, 'trust-retry', (s) => {
      s.partners.auth.policy = 'no-such-policy';
    });
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'blocked');

    const refused = (pattern: RegExp) => (err: unknown) =>
      (err instanceof Refused && pattern.test(err.message)) || assert.fail(String((err as Error)?.message ?? err));
    // staff may start runs but not operate them; unsigned aborts are refused before history.
    await assert.rejects(
      abortRun(handle, signer('staff-1'), 'not mine to abort'),
      refused(/staff-1 is not an operator of this run/),
    );
    await assert.rejects(
      handle.executeUpdate(abortUpdate, { args: [{ token: 'ops-1' }] }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError,
    );
    // A retry whose signature covers no spec cannot carry one.
    const fixed = sandboxSpec(h.sandbox, 'trust-retry', (s) => {
      s.partners.auth.policy = SEEDED_AUTH_POLICY;
    });
    const unbound = await commandToken(handle, 'ops-1', 'retry');
    await assert.rejects(
      handle.executeUpdate('retry', { args: [{ token: unbound, spec: fixed }] }),
      (err: unknown) =>
        err instanceof WorkflowUpdateFailedError &&
        /names a spec but carries none|carries none|another spec/.test(String(err.cause?.message)),
    );
    // The approvers were fixed at start: a corrected spec naming mallory's friend is refused.
    const swapped = sandboxSpec(h.sandbox, 'trust-retry', (s) => {
      s.partners.auth.policy = SEEDED_AUTH_POLICY;
      s.approval.approvers = [{ name: 'carol' }];
    });
    await assert.rejects(retryRun(handle, signer('ops-1'), { spec: swapped }), refused(/may not change approval/));
    const history = await handle.fetchHistory();
    assert.equal(
      (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length,
      0,
      'no refused command reached history',
    );

    await retryRun(handle, signer('ops-1'), { spec: fixed, comment: 'published policy' });
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await approveAs(handle, 'alice', 'ok');
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    const retry = result.audit.find((e) => e.event === 'run.retry')!;
    assert.equal(retry.actor, 'ops-1');
    assert.ok(retry.token && retry.key, 'the retry is kept with its signature and key');

    // Every signature in the trail verifies with the key recorded when it was accepted.
    const audit = await loadAudit(h.client, handle.workflowId, true);
    const signed = audit.entries.filter((e) => e.token);
    assert.deepEqual(
      signed.map((e) => e.event),
      ['run.started', 'run.retry', 'approval.approve'],
    );
    assert.ok(
      signed.every((e) => e.verified),
      JSON.stringify(signed.map((e) => e.verification)),
    );
  });

  test('a flood of refused signals is audited only up to a cap and cannot grow the run without bound', async () => {
    const spec = sandboxSpec(h.sandbox, 'trust-flood');
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    const bogus = await decisionToken(handle, 'mallory', 'approve');
    for (let i = 0; i < MAX_AUDITED_REFUSALS + 10; i++) await handle.signal(approveSignal, { token: bogus });
    await approveAs(handle, 'alice');
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    assert.equal(result.audit.filter((e) => e.event === 'approval.refused').length, MAX_AUDITED_REFUSALS);
  });
});
