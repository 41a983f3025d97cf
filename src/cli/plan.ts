// Client side of the plan: the spec goes to a short read-only workflow on the worker, where the
// secrets are; the plan comes back decoded by the codec server. The search attributes are read
// here, from the Temporal server the CLI talks to (no secret involved).
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { specDigest } from '../approvals/command.js';
import { renderPlan, summarize, summaryLine, type DeploymentPlan, type PlanItem } from '../checks/plan.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { specQuery, statusQuery, STEP_NAMES, TASK_QUEUE, type StepName } from '../workflows/messages.js';
import { reapplyPlan, type ReapplyPlan } from '../workflows/reapply.js';
import { ONBOARDING_SEARCH_ATTRIBUTE_NAMES, OnboardingDeploymentId } from '../workflows/search-attributes.js';

export const PLAN_WORKFLOW_TYPE = 'planDeploymentChanges';

/** Which of the product's search attributes the namespace lacks (runs cannot be found by them). */
async function searchAttributesItem(client: Client): Promise<PlanItem> {
  const resource = 'search attributes';
  try {
    const answer = await client.connection.operatorService.listSearchAttributes({
      namespace: client.options.namespace,
    });
    const have = new Set(Object.keys(answer.customAttributes ?? {}));
    const missing = ONBOARDING_SEARCH_ATTRIBUTE_NAMES.filter((n) => !have.has(n));
    if (!missing.length)
      return { resource, action: 'in-sync', detail: `${ONBOARDING_SEARCH_ATTRIBUTE_NAMES.join(', ')} registered` };
    return {
      resource,
      action: 'create',
      detail: `${missing.join(', ')} (Keyword) in namespace ${client.options.namespace}`,
      why: `the Temporal operator registers them: ${missing.map((n) => `temporal operator search-attribute create --name ${n} --type Keyword`).join('; ')}`,
    };
  } catch (err) {
    return {
      resource,
      action: 'cannot-check',
      detail: 'not read',
      why: `the Temporal server did not list its search attributes: ${(err as Error).message}`,
    };
  }
}

/** The plan of `spec`, made on the worker, with the Temporal side added. */
export async function runPlan(client: Client, spec: DeploymentSpec): Promise<DeploymentPlan> {
  const plan = await client.workflow.execute<(s: DeploymentSpec) => Promise<DeploymentPlan>>(PLAN_WORKFLOW_TYPE, {
    workflowId: `plan-${spec.deploymentId}-${randomUUID().slice(0, 8)}`,
    taskQueue: TASK_QUEUE,
    args: [spec],
    typedSearchAttributes: [{ key: OnboardingDeploymentId, value: spec.deploymentId }],
    staticSummary: `Plan of deployment ${spec.deploymentId} (read-only)`,
  });
  const items = [...plan.items, await searchAttributesItem(client)];
  return { ...plan, items, summary: summarize(items), digest: specDigest(items) };
}

/** What a signed command carries of the plan into the audit trail. */
export interface PlanClaim {
  digest: string;
  summary: string;
}

/**
 * What `retry --spec` shows before it sends: the steps it re-applies and the plan of the corrected
 * spec. A plan that cannot be made is said, and the retry still goes (it is what unblocks the run);
 * a run that is not blocked gets no plan (the retry is refused with why).
 */
export async function planChange(
  client: Client,
  handle: WorkflowHandle,
  corrected: DeploymentSpec,
): Promise<{ reapply: ReapplyPlan; plan?: DeploymentPlan; claim?: PlanClaim; text: string } | undefined> {
  const [current, status] = await Promise.all([handle.query(specQuery), handle.query(statusQuery)]);
  if (status.phase !== 'blocked') return undefined;
  const finished = status.steps
    .filter((s) => s.status === 'completed')
    .map((s) => s.name)
    .filter((n): n is StepName => (STEP_NAMES as readonly string[]).includes(n));
  const reapply = reapplyPlan(current, corrected, finished);
  let plan: DeploymentPlan | undefined;
  let unplanned: string | undefined;
  try {
    plan = await runPlan(client, corrected);
  } catch (err) {
    unplanned = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
  }
  const lines = [
    reapply.reapply.length
      ? `the corrected spec re-applies: ${reapply.reapply.map((r) => `${r.step} (${r.because.join(', ')})`).join('; ')}`
      : 'the corrected spec changes no input of a finished step: nothing is re-applied',
    ...reapply.notReapplied.map(
      (r) => `  not re-applied: ${r.step} (${r.because.join(', ')}): PMS keeps what it registered`,
    ),
    `then ${status.currentStep ?? 'the blocked step'} runs again with it`,
    plan
      ? renderPlan(plan)
      : `the plan of the corrected spec could not be made (${unplanned}); the retry is sent without it`,
  ];
  return {
    reapply,
    plan,
    claim: plan ? { digest: plan.digest!, summary: summaryLine(plan) } : undefined,
    text: lines.join('\n'),
  };
}
