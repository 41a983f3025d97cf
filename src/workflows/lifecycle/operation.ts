// What every day-two operation shares: the run state, approval book and authority of onboarding
// (so status, audit, approve/reject, retry/abort work the same), admission of the signed command,
// the look at the deployment as it is now, the approvers' decision, and the result.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeploymentInspection } from '../../activities/types.js';
import { specDigest } from '../../approvals/command.js';
import type { DeploymentSpec } from '../../spec/schema.js';
import { admission, remote } from '../activity-options.js';
import { ApprovalBook } from '../approval.js';
import { refuseRun, RunAuthority } from '../authority.js';
import { installHandlers } from '../handlers.js';
import type { AnyStepName } from '../messages.js';
import { OnboardingRun } from '../run-state.js';
import { lifecycleSubject, type LifecycleResult, type LifecycleStart } from './messages.js';

export interface Operation {
  run: OnboardingRun;
  approvals: ApprovalBook;
  authority: RunAuthority;
  start: LifecycleStart;
  /** What the operation switched off or replaced, for the result and the audit trail. */
  changes: string[];
}

/** The run's state and message handlers, with this operation's steps. */
export function openOperation(spec: DeploymentSpec, start: LifecycleStart, steps: readonly AnyStepName[]): Operation {
  const authority = new RunAuthority();
  const run = new OnboardingRun(spec, '(being verified)', steps);
  const approvals = new ApprovalBook(run, () => ({
    workflowId: workflowInfo().workflowId,
    firstRunId: workflowInfo().firstExecutionRunId,
    initiator: authority.initiator,
    approvers: authority.signers('approver'),
  }));
  installHandlers(run, approvals, authority);
  return { run, approvals, authority, start, changes: [] };
}

/** A failure the worker means as a refusal (RunRefused, non-retryable) ends the run before anything changes. */
function asRefusal(err: unknown): unknown {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.nonRetryable ? refuseRun(cause.message) : err;
}

/**
 * admitOperation: the worker's word on the spec, and who asks — a start command signed by an
 * initiator of the worker's registry, bound to this operation, its options and the spec.
 */
export async function admitOperation(op: Operation): Promise<void> {
  const { run, authority, start } = op;
  const trust = await admission.admitRun(run.spec).catch((err: unknown) => {
    throw asRefusal(err);
  });
  const digest = specDigest(lifecycleSubject(start.operation, run.spec, start.options));
  const { identity, comment } = authority.admitSigned(
    trust,
    digest,
    run.spec.approval.maxDecisionAge,
    start?.token,
    workflowInfo().workflowId,
    workflowInfo().runStartTime.getTime(),
  );
  run.initiator = identity.name;
  run.record({
    event: 'run.started',
    actor: identity.name,
    detail: `${start.operation} of deployment ${run.deploymentId}${comment ? `: ${comment}` : ''}`,
    token: start.token,
    // A signed start verified with this key (admitSigned admits only identities that have one).
    key: { thumbprint: identity.thumbprint!, publicKey: identity.publicKey! },
  });
}

/**
 * inspectDeployment reads what the deployment has now (client, keys, provider); refused while its
 * onboarding runs, and once it is offboarded (unless `offboarded` is allowed: a re-run of offboarding).
 */
export async function inspectDeployment(op: Operation, allowOffboarded = false): Promise<DeploymentInspection> {
  const { run } = op;
  run.startStep('inspectDeployment');
  const found = await remote.inspectDeployment(run.spec).catch((err: unknown) => {
    throw asRefusal(err);
  });
  if (found.offboardedAt && !allowOffboarded)
    throw refuseRun(`deployment ${run.deploymentId} was offboarded at ${found.offboardedAt}; onboard it again first`);
  if (!found.offboardedAt && (!found.oidcClientId || found.providerId === undefined || !found.clientKeyThumbprint))
    throw refuseRun(
      `deployment ${run.deploymentId} is not onboarded on this worker (no client, key or OpenG2P provider found); run \`g2p-onboard start\` first`,
    );
  run.ids.oidcClientId = found.oidcClientId;
  run.ids.openg2pProviderId = found.providerId;
  run.ids.clientKeyThumbprint = found.clientKeyThumbprint;
  run.ids.apiKeyFingerprint = found.apiKeyFingerprint;
  run.ids.mispLicenseFingerprint = found.mispLicenseFingerprint;
  run.completeStep(
    'inspectDeployment',
    found.offboardedAt
      ? `offboarded at ${found.offboardedAt}`
      : `client ${found.oidcClientId}, provider #${found.providerId}${found.nextOidcClientId ? `; an unfinished rotation's client ${found.nextOidcClientId}` : ''}`,
  );
  return found;
}

/** Whether the spec asks the approvers for this operation (offboarding always does). */
export function needsApproval(op: Operation): boolean {
  const { operation } = op.start;
  return operation === 'offboard' || (op.run.spec.lifecycle?.requireApproval ?? []).includes(operation);
}

/**
 * awaitApproval waits for the approvers' signed decisions, as onboarding's does (N of M, four
 * eyes, any rejection ends it) until the spec's deadline. No PMS mapping is involved: only people decide.
 */
export async function awaitApproval(op: Operation): Promise<'approved' | 'rejected' | 'timed_out'> {
  const { run, approvals, start } = op;
  return run.runStep(
    'awaitApproval',
    async () => {
      approvals.open(`${start.operation} ${run.deploymentId}`);
      run.phase = 'awaiting_approval';
      const decided = await condition(
        () => approvals.verdict() !== undefined,
        Math.max(approvals.state.deadlineAt! - Date.now(), 1),
      );
      approvals.close();
      run.phase = 'running';
      return decided ? approvals.verdict()! : 'timed_out';
    },
    (outcome) =>
      `${outcome}${approvals.decisions.length ? ` by ${approvals.decisions.map((d) => d.approver).join(', ')}` : ''}`,
  );
}

export async function finishOperation(
  op: Operation,
  outcome: LifecycleResult['outcome'],
  detail?: string,
): Promise<LifecycleResult> {
  const { run } = op;
  run.finish(outcome, detail ?? (op.changes.length ? op.changes.join('; ') : undefined));
  await condition(allHandlersFinished);
  return {
    operation: op.start.operation,
    outcome,
    workflowId: workflowInfo().workflowId,
    deploymentId: run.deploymentId,
    ids: { ...run.ids },
    changes: [...op.changes],
    approvals: [...approvalsOf(op)],
    steps: run.status().steps,
    audit: [...run.audit],
    spec: run.spec,
    initiator: run.initiator,
    startedAt: run.startedAt,
    endedAt: run.endedAt!,
  };
}

function approvalsOf(op: Operation) {
  return op.approvals.decisions;
}
