// Client side of the day-two operations: starting one (signed, bound to the operation, its
// options and the spec), refusing a second while one runs — naming what runs — and finding the
// spec a deployment has now (the last completed operation's, else its onboarding's).
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { specDigest } from '../approvals/command.js';
import { signCommand, type Signer } from '../approvals/sign.js';
import { lifecycleWorkflowId, onboardingWorkflowId } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { TASK_QUEUE, type OnboardingResult } from '../workflows/messages.js';
import { OnboardingDeploymentId } from '../workflows/search-attributes.js';
import {
  LIFECYCLE_WORKFLOW_TYPES,
  lifecycleSubject,
  type LifecycleOperation,
  type LifecycleOptions,
  type LifecycleResult,
  type LifecycleWorkflow,
} from '../workflows/lifecycle/messages.js';
import { Refused } from './runs.js';
import { changedFixedSections, changedSections } from '../workflows/spec-diff.js';

/** Starts `operation` on the deployment `spec` describes, signed by `initiator` (with `comment`: why, audited). */
export async function startLifecycle(
  client: Client,
  operation: LifecycleOperation,
  spec: DeploymentSpec,
  initiator: Signer,
  opts: { options?: LifecycleOptions; comment?: string } = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<LifecycleWorkflow>> {
  const workflowId = lifecycleWorkflowId(spec.deploymentId);
  const options = opts.options ?? {};
  const token = signCommand(initiator.key, {
    action: 'start',
    wid: workflowId,
    actor: initiator.name,
    digest: specDigest(lifecycleSubject(operation, spec, options)),
    ...(opts.comment ? { comment: opts.comment } : {}),
  });
  try {
    return await client.workflow.start<LifecycleWorkflow>(LIFECYCLE_WORKFLOW_TYPES[operation], {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [spec, { token, operation, options }],
      // One operation per deployment at a time: Temporal refuses a second start under the same id.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [{ key: OnboardingDeploymentId, value: spec.deploymentId }],
      memo: { operation },
      staticSummary: `${operation} of OpenG2P deployment ${spec.deploymentId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const running = await client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => `${String(d.memo?.operation ?? d.type)} (${d.type}, started ${d.startTime.toISOString()})`)
      .catch(() => 'another operation');
    throw new Refused(
      `${running} is running on deployment ${spec.deploymentId} (workflow ${workflowId}); one operation per deployment at a time — ` +
        `follow it with \`g2p-onboard status ${workflowId}\` and start ${operation} once it has ended`,
    );
  }
}

/** The result of the workflow's latest run, if it completed. */
async function latestResult<T>(client: Client, workflowId: string): Promise<T | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const d = await handle.describe();
    if (d.status.name !== 'COMPLETED') return undefined;
    return (await handle.result()) as T;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The spec the deployment has now: the last completed day-two operation's, else its completed onboarding's. */
export async function currentSpec(client: Client, deploymentId: string): Promise<DeploymentSpec> {
  const lifecycle = await latestResult<LifecycleResult>(client, lifecycleWorkflowId(deploymentId));
  if (lifecycle?.spec) return lifecycle.spec;
  const onboarding = await latestResult<OnboardingResult>(client, onboardingWorkflowId(deploymentId));
  if (onboarding?.outcome === 'completed') return onboarding.spec;
  throw new Refused(
    `deployment ${deploymentId} has no completed onboarding (${onboardingWorkflowId(deploymentId)}); onboard it with \`g2p-onboard start\` first`,
  );
}

/**
 * The plan of an update: the spec sections it changes, or a Refused naming what an update may not
 * change (which deployment, partners, approvers, provider record and registration path it has).
 */
export function updatePlan(current: DeploymentSpec, next: DeploymentSpec): string[] {
  const fixed = [
    ...changedFixedSections(current, next),
    ...(current.openg2p.provider.name !== next.openg2p.provider.name ? ['openg2p.provider.name'] : []),
    ...(current.oidcClient.registration !== next.oidcClient.registration ? ['oidcClient.registration'] : []),
  ];
  if (fixed.length)
    throw new Refused(
      `an update may not change ${fixed.join(', ')}: they name the deployment's records and who approves (offboard and onboard again for those)`,
    );
  return changedSections(current, next);
}
