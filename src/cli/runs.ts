// Client-side operations on onboarding runs, shared by the CLI and the demo script.
import { optionalTsToDate } from '@temporalio/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { onboardingWorkflowId } from '../spec/derived.js';
import { specDigest } from '../approvals/command.js';
import { signCommand, type Signer } from '../approvals/sign.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { PlanClaim } from './plan.js';
import {
  OnboardingApprover,
  OnboardingDeploymentId,
  OnboardingOutcome,
  OnboardingStep,
} from '../workflows/search-attributes.js';
import { runBuildsFromMemo, type RunBuilds } from '../temporal/build-memo.js';
import {
  ONBOARDING_WORKFLOW_TYPE,
  PMS_WATCH_ACTIVITY,
  TASK_QUEUE,
  abortUpdate,
  retryUpdate,
  statusQuery,
  type OnboardingResult,
  type OnboardingWorkflow,
  type StartCommand,
  type StatusView,
  type AnyStepName,
} from '../workflows/messages.js';

/** A refusal the user can act on (exit code 3 in the CLI). */
export class Refused extends Error {
  override name = 'Refused';
}

/** Accepts a deployment id, the workflow id `onboard-<deploymentId>`, or a day-two operation's `lifecycle-<deploymentId>`. */
export function workflowIdFor(idOrDeployment: string): string {
  return idOrDeployment.startsWith('onboard-') || idOrDeployment.startsWith('lifecycle-')
    ? idOrDeployment
    : onboardingWorkflowId(idOrDeployment);
}

/** Starts the onboarding of `spec`, signed by `initiator`: the workflow verifies who started it. */
export async function startOnboarding(
  client: Client,
  spec: DeploymentSpec,
  initiator: Signer,
  signedAt?: Date,
  plan?: PlanClaim,
): Promise<WorkflowHandleWithFirstExecutionRunId<OnboardingWorkflow>> {
  const workflowId = onboardingWorkflowId(spec.deploymentId);
  const iat = signedAt ? { iat: Math.floor(signedAt.getTime() / 1000) } : {};
  const start: StartCommand = {
    token: signCommand(initiator.key, {
      action: 'start',
      wid: workflowId,
      actor: initiator.name,
      digest: specDigest(spec),
      // The plan shown before starting, bound to the signature: the audit trail keeps it.
      ...(plan ? { plan } : {}),
      ...iat,
    }),
  };
  try {
    return await client.workflow.start<OnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [spec, start],
      // One live run per deployment; a finished deployment may be onboarded again.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [{ key: OnboardingDeploymentId, value: spec.deploymentId }],
      staticSummary: `Onboard OpenG2P deployment ${spec.deploymentId} to e-Signet`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new Refused(
        `an onboarding of deployment ${spec.deploymentId} is already running (workflow ${workflowId}); ` +
          `follow it with \`g2p-onboard status ${spec.deploymentId}\` — a second run is not started`,
      );
    }
    throw err;
  }
}

/**
 * Runs an update and turns a validator's refusal into a Refused with its message. A run that has
 * closed takes no more updates (Temporal answers "not found"): `handle` lets the refusal say how
 * it ended instead of claiming there is no such run.
 */
export async function sendUpdate<R>(run: () => Promise<R>, handle?: WorkflowHandle): Promise<R> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new Refused(err.cause?.message ?? err.message);
    if (handle && err instanceof WorkflowNotFoundError) {
      const closed = await closedState(handle);
      if (closed)
        throw new Refused(
          `${handle.workflowId} has ended (${closed}): it takes no approvals, retries or aborts; start a new run to onboard again`,
        );
    }
    throw err;
  }
}

/** How a closed run ended (its outcome, else Temporal's status), or undefined while it runs or when there is none. */
async function closedState(handle: WorkflowHandle): Promise<string | undefined> {
  const description = await handle.describe().catch(() => undefined);
  if (!description || description.status.name === 'RUNNING') return undefined;
  const outcome = description.typedSearchAttributes.get(OnboardingOutcome);
  return outcome ?? description.status.name.toLowerCase();
}

/** Which runs `list` shows (and the approvals page, for the signed-in approver). */
export interface RunFilter {
  deployment?: string;
  /** Runs waiting for an approval only. */
  pendingApproval?: boolean;
  /** Runs that approver decided on or, while waiting, is asked for. */
  approver?: string;
}

export interface RunRow {
  workflowId: string;
  runId: string;
  /** `running (<step>)`, or how it ended. */
  state: string;
  status: string;
  outcome?: string;
  startTime: string;
  closeTime?: string;
  /** Waiting runs narrowed by approver: the run's status, read to see whom it asks. */
  pending?: StatusView;
}

const MAX_LISTED = 200;

/**
 * Onboarding runs, newest first, from Temporal's visibility. `OnboardingApprover` holds who
 * decided; whom a waiting run asks only the run itself knows, so waiting runs narrowed by
 * approver are asked for their status (one query each, at most 200 runs).
 */
export async function listRuns(client: Client, filter: RunFilter): Promise<RunRow[]> {
  let query = `WorkflowType = '${ONBOARDING_WORKFLOW_TYPE}'`;
  const quoted = (v: unknown) => `'${String(v).replaceAll("'", '')}'`;
  if (filter.deployment) query += ` AND ${OnboardingDeploymentId.name} = ${quoted(filter.deployment)}`;
  if (filter.pendingApproval) query += ` AND ${OnboardingStep.name} = 'awaitApproval' AND ExecutionStatus = 'Running'`;
  else if (filter.approver) query += ` AND ${OnboardingApprover.name} = ${quoted(filter.approver)}`;
  const rows: RunRow[] = [];
  for await (const wf of client.workflow.list({ query })) {
    // Temporal says COMPLETED for every way a run ends; the outcome attribute tells them apart.
    const outcome = wf.typedSearchAttributes.get(OnboardingOutcome);
    const step = wf.typedSearchAttributes.get(OnboardingStep);
    const state =
      wf.status.name === 'RUNNING' ? `running${step ? ` (${step})` : ''}` : (outcome ?? wf.status.name.toLowerCase());
    rows.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      state,
      status: wf.status.name,
      ...(outcome ? { outcome } : {}),
      startTime: wf.startTime.toISOString(),
      ...(wf.closeTime ? { closeTime: wf.closeTime.toISOString() } : {}),
    });
    if (rows.length >= MAX_LISTED) break;
  }
  if (!(filter.pendingApproval && filter.approver)) return rows;
  const asked = await Promise.all(
    rows.map(async (row) => {
      const status = await client.workflow
        .getHandle(row.workflowId)
        .query(statusQuery)
        .catch(() => undefined);
      const p = status?.pendingApproval;
      const named =
        p && (p.approvers.includes(filter.approver!) || p.decisions.some((d) => d.approver === filter.approver));
      return named ? { ...row, pending: status } : undefined;
    }),
  );
  return asked.filter((r): r is RunRow & { pending: StatusView } => r !== undefined);
}

/** Resumes a blocked run, signed by an operator; a corrected spec is bound to the signature. */
export async function retryRun(
  handle: WorkflowHandle,
  operator: Signer,
  opts: { comment?: string; spec?: DeploymentSpec; plan?: PlanClaim } = {},
): Promise<StatusView> {
  const status = await handle.query(statusQuery);
  const token = signCommand(operator.key, {
    action: 'retry',
    wid: status.workflowId,
    rid: status.firstRunId,
    actor: operator.name,
    ...(opts.comment ? { comment: opts.comment } : {}),
    ...(opts.spec ? { digest: specDigest(opts.spec) } : {}),
    ...(opts.plan ? { plan: opts.plan } : {}),
  });
  return sendUpdate(
    () => handle.executeUpdate(retryUpdate, { args: [{ token, ...(opts.spec ? { spec: opts.spec } : {}) }] }),
    handle,
  );
}

/** Ends a blocked run, signed by an operator with the reason inside the signature. */
export async function abortRun(handle: WorkflowHandle, operator: Signer, comment: string): Promise<StatusView> {
  const status = await handle.query(statusQuery);
  const token = signCommand(operator.key, {
    action: 'abort',
    wid: status.workflowId,
    rid: status.firstRunId,
    actor: operator.name,
    comment,
  });
  return sendUpdate(() => handle.executeUpdate(abortUpdate, { args: [{ token }] }), handle);
}

export interface WatchCallbacks {
  onStep?(step: AnyStepName, status: StatusView): void;
  onApprovalPending?(status: StatusView): void;
  onBlocked?(status: StatusView): void;
  /** Stop following once the run is blocked (watchRun then throws RunBlocked): a person must act first. */
  stopWhenBlocked?: boolean;
}

/** A followed run is blocked: nothing happens until ops retry or abort it. */
export class RunBlocked extends Error {
  override name = 'RunBlocked';
  constructor(readonly status: StatusView) {
    super(
      `${status.workflowId} is blocked at ${status.lastError?.step ?? 'a step'}: ${status.lastError?.hint ?? 'retry or abort it'}`,
    );
  }
}

/** Follows a run, reporting each finished step, until it closes; returns its result. */
export async function watchRun(
  handle: WorkflowHandle<OnboardingWorkflow>,
  cb: WatchCallbacks,
  pollMs = 500,
): Promise<OnboardingResult> {
  const reported = new Set<string>();
  let approvalShown = false;
  let blockedShown: string | undefined;
  let done = false;
  const result = handle.result().finally(() => (done = true));
  const report = (status: StatusView) => {
    for (const step of status.steps) {
      if (step.status === 'completed' && !reported.has(step.name)) {
        reported.add(step.name);
        cb.onStep?.(step.name, status);
      }
    }
    if (status.pendingApproval && !approvalShown) {
      approvalShown = true;
      cb.onApprovalPending?.(status);
    }
    const blockedKey = status.lastError ? `${status.lastError.step}@${status.lastError.at}` : undefined;
    if (blockedKey && blockedKey !== blockedShown) {
      blockedShown = blockedKey;
      cb.onBlocked?.(status);
    }
  };
  while (!done) {
    let status: StatusView | undefined;
    try {
      status = await handle.query(statusQuery);
      report(status);
    } catch {
      // The run may close between checks; the result below tells how.
    }
    if (cb.stopWhenBlocked && status?.phase === 'blocked') {
      // The long-poll for the result ends when the connection closes: nobody waits for it now.
      result.catch(() => undefined);
      throw new RunBlocked(status);
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, pollMs))]);
  }
  const final = await result;
  report({ ...(await handle.query(statusQuery).catch(() => ({ steps: final.steps }) as StatusView)) });
  return final;
}

/** The PMS watch of a waiting run, as Temporal sees its pending activity (its polls leave no history). */
export interface PmsWatchView {
  /** Checks of PMS completed so far (one may be running). */
  checks: number;
  lastCheckAt?: string;
  /** `MappingStillPending` when PMS answered "not decided yet"; else the failure type (PMS unreachable…). */
  lastOutcome?: string;
  nextCheckAt?: string;
  /** A check is running now (then there is no next one scheduled yet). */
  checking?: boolean;
}

/** temporal.api.enums.v1.PendingActivityState.STARTED; the number, so the CLI does not load the proto root for one enum. */
export const PENDING_ACTIVITY_STATE_STARTED = 2;

/** Where the run's PMS watch stands, or undefined before its first check is scheduled. */
/** What `status` shows beside the workflow's own view: the PMS watch and the builds that ran the run. */
export async function describeRun(
  handle: WorkflowHandle,
): Promise<{ pmsWatch?: PmsWatchView; builds: RunBuilds; failed: boolean }> {
  const description = await handle.describe();
  const pmsWatch = pmsWatchIn(description);
  return {
    ...(pmsWatch ? { pmsWatch } : {}),
    builds: runBuildsFromMemo(description.memo),
    failed: description.status.name === 'FAILED',
  };
}

function pmsWatchIn(description: WorkflowExecutionDescription): PmsWatchView | undefined {
  const watch = description.raw.pendingActivities?.find((a) => a.activityType?.name === PMS_WATCH_ACTIVITY);
  if (!watch) return undefined;
  const iso = (ts: Parameters<typeof optionalTsToDate>[0]) => optionalTsToDate(ts)?.toISOString();
  // `attempt` is the one running or, between attempts, the next; the first attempt only arms the
  // retry schedule (see awaitPolicyMappingDecision), so it is not a check.
  const checks = Math.max(0, (watch.attempt ?? 1) - 2);
  const lastCheckAt = checks > 0 ? iso(watch.lastAttemptCompleteTime) : undefined;
  const nextCheckAt = iso(watch.nextAttemptScheduleTime);
  return {
    checks,
    ...(lastCheckAt ? { lastCheckAt } : {}),
    // Only the type: failure messages are encrypted in history.
    ...(watch.lastFailure?.applicationFailureInfo?.type
      ? { lastOutcome: watch.lastFailure.applicationFailureInfo.type }
      : {}),
    ...(nextCheckAt ? { nextCheckAt } : {}),
    ...(watch.state === PENDING_ACTIVITY_STATE_STARTED && (watch.attempt ?? 1) > 1 ? { checking: true } : {}),
  };
}
