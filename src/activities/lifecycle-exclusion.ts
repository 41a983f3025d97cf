// Onboarding and day-two operations on one deployment never interleave. Each kind refuses to
// begin while the other kind runs: lifecycle operations in inspectDeployment, onboarding in
// admitRun. Both look after their own run was started, so two started at once cannot both pass
// (each sees the other running); at worst both are refused.
import { WorkflowNotFoundError } from '@temporalio/client';
import { currentActivityContext } from './context.js';

/** 'running' when the workflow's latest run is open; undefined without a Temporal client (unit tests). */
export async function runningWorkflow(workflowId: string): Promise<'running' | 'closed' | 'none' | undefined> {
  const context = currentActivityContext();
  let client;
  try {
    client = context?.client;
  } catch {
    return undefined;
  }
  if (!client) return undefined;
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? 'running' : 'closed';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'none';
    throw err;
  }
}
