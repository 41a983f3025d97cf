// Client side of the consistency checks: the spec comes from the deployment's onboarding run (its
// result once closed, its `spec` query while open), the checks run as a short workflow on the
// worker, where the secrets are, and the report comes back decoded by the codec server.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ConsistencyReport } from '../checks/report.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { specQuery, TASK_QUEUE, type OnboardingWorkflow } from '../workflows/messages.js';
import { OnboardingDeploymentId } from '../workflows/search-attributes.js';
import { Refused } from './runs.js';

export const CHECK_WORKFLOW_TYPE = 'checkDeploymentConsistency';

/** The spec the deployment's onboarding ended (or runs) with. */
export async function deploymentSpec(client: Client, workflowId: string): Promise<DeploymentSpec> {
  const handle = client.workflow.getHandle<OnboardingWorkflow>(workflowId);
  const { status } = await handle.describe();
  if (status.name === 'RUNNING') return handle.query(specQuery);
  const result = await handle.result().catch(() => undefined);
  if (!result?.spec)
    throw new Refused(`${workflowId} ended without a result to take the spec from (refused or failed)`);
  return result.spec;
}

export async function runConsistencyCheck(client: Client, workflowId: string): Promise<ConsistencyReport> {
  const spec = await deploymentSpec(client, workflowId);
  return client.workflow.execute(CHECK_WORKFLOW_TYPE, {
    workflowId: `check-${spec.deploymentId}-${randomUUID().slice(0, 8)}`,
    taskQueue: TASK_QUEUE,
    args: [spec],
    typedSearchAttributes: [{ key: OnboardingDeploymentId, value: spec.deploymentId }],
    staticSummary: `Consistency checks of deployment ${spec.deploymentId}`,
  });
}
