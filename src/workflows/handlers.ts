// The onboarding run's message handlers: thin wrappers over the state that owns each message's
// data (the approval book, the run's authority, the run). Validators refuse before anything
// reaches history; handlers run again on replay, so they never read the clock.
import { setHandler, workflowInfo } from '@temporalio/workflow';
import { specDigest } from '../approvals/command.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { ApprovalBook } from './approval.js';
import type { RunAuthority } from './authority.js';
import {
  abortUpdate,
  approveSignal,
  approveUpdate,
  auditTrailQuery,
  rejectSignal,
  rejectUpdate,
  retryUpdate,
  specQuery,
  statusQuery,
} from './messages.js';
import { changedFixedSections, type OnboardingRun } from './run-state.js';

export function installHandlers(run: OnboardingRun, approvals: ApprovalBook, authority: RunAuthority): void {
  setHandler(statusQuery, () => run.status());
  setHandler(auditTrailQuery, () => [...run.audit]);
  setHandler(specQuery, () => run.spec);

  for (const update of [approveUpdate, rejectUpdate]) {
    const expected = update === approveUpdate ? 'approve' : 'reject';
    setHandler(
      update,
      (input) => {
        // The validator checked the decision's age when it was accepted; this runs on replay too.
        const checked = approvals.check(input, false);
        if (!checked.ok) throw new Error(checked.reason);
        return approvals.apply(checked, input, 'update');
      },
      {
        // Refusals happen here, so a refused decision leaves no event in history.
        validator: (input) => {
          const checked = approvals.check(input);
          if (!checked.ok) throw new Error(checked.reason);
          if (checked.claims.decision !== expected)
            throw new Error(`this decision is signed as "${checked.claims.decision}", sent as "${expected}"`);
        },
      },
    );
  }
  // Signals cannot be refused before they reach history: refused ones are audited (up to a cap), not applied.
  for (const signal of [approveSignal, rejectSignal]) {
    const expected = signal === approveSignal ? 'approve' : 'reject';
    setHandler(signal, (input) => {
      const checked = approvals.check(input);
      if (!checked.ok) return approvals.refuse(checked.reason, input, 'signal');
      if (checked.claims.decision !== expected)
        return approvals.refuse(`signed as ${checked.claims.decision}, sent as ${expected}`, input, 'signal');
      approvals.apply(checked, input, 'signal');
    });
  }

  /** A retry or abort signed by an operator of the registry; `nowMs` only in validators. */
  const operatorCommand = (
    action: 'retry' | 'abort',
    token: unknown,
    spec: DeploymentSpec | undefined,
    nowMs?: number,
  ) => {
    const checked = authority.check(action, token, {
      workflowId: workflowInfo().workflowId,
      firstRunId: workflowInfo().firstExecutionRunId,
      digest: spec ? specDigest(spec) : undefined,
      nowMs,
      maxAge: run.spec.approval.maxDecisionAge,
    });
    if (!checked.ok) throw new Error(checked.reason);
    return checked;
  };
  const signedBy = (checked: ReturnType<typeof operatorCommand>, token: string) => ({
    token,
    key: { thumbprint: checked.signer.thumbprint ?? '', publicKey: checked.signer.publicKey },
  });

  setHandler(
    retryUpdate,
    (input) => {
      const checked = operatorCommand('retry', input.token, input.spec);
      authority.spend(checked.claims.nonce);
      run.requestRetry(checked.claims.actor, checked.claims.comment, input.spec, signedBy(checked, input.token));
      return run.status();
    },
    {
      validator: (input) => {
        if (!run.isBlocked()) throw new Error(`the run is ${run.phase}, not blocked: nothing to retry`);
        operatorCommand('retry', input?.token, input?.spec, Date.now());
        // The CLI validates a corrected spec in full (zod) before sending it; the workflow keeps
        // only these checks, because every cached run would otherwise carry its own copy of the
        // schemas (~1.8 MB each, measured by npm run bench). Activities validate it again.
        if (input.spec) {
          const sections = ['mosip', 'esignet', 'openg2p', 'partners', 'oidcClient', 'approval'] as const;
          const missing = sections.filter(
            (k) => typeof (input.spec as unknown as Record<string, unknown>)[k] !== 'object',
          );
          if (missing.length)
            throw new Error(
              `the corrected spec lacks ${missing.join(', ')}: send it with \`g2p-onboard retry --spec <file>\`, which validates it`,
            );
          const fixed = changedFixedSections(run.spec, input.spec);
          if (fixed.length) {
            throw new Error(
              `a corrected spec may not change ${fixed.join(', ')}: they were fixed when the run started (start a new run for another deployment, partners or approvers)`,
            );
          }
        }
      },
    },
  );
  setHandler(
    abortUpdate,
    (input) => {
      const checked = operatorCommand('abort', input.token, undefined);
      authority.spend(checked.claims.nonce);
      run.requestAbort(checked.claims.actor, checked.claims.comment ?? '', signedBy(checked, input.token));
      return run.status();
    },
    {
      validator: (input) => {
        if (!run.isBlocked())
          throw new Error(
            `the run is ${run.phase}; only a blocked run can be aborted (cancel it in Temporal otherwise)`,
          );
        const checked = operatorCommand('abort', input?.token, undefined, Date.now());
        if (!checked.claims.comment?.trim()) throw new Error('abort needs a --comment saying why');
      },
    },
  );
}
