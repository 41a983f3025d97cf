// One onboarding run taken to its end against the sandbox: started as staff do, approved by a
// listed approver. For tests that look at a finished run from outside (history, UI, logs).
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Sandbox } from '../../sandbox/index.js';
import type { DeploymentSpec, DeploymentSpecInput } from '../../src/spec/schema.js';
import { startOnboarding } from '../../src/cli/runs.js';
import type { OnboardingResult } from '../../src/workflows/messages.js';
import { sandboxSpec } from './fixtures.js';
import { waitForStatus } from './harness.js';
import { approveAs } from './approve.js';
import { signer } from './identities.js';

export interface CompletedRun {
  spec: DeploymentSpec;
  handle: WorkflowHandle;
  runId: string;
  result: OnboardingResult;
}

export async function waitForPhase(handle: WorkflowHandle, phases: string[], timeoutMs = 30_000): Promise<void> {
  await waitForStatus(handle, (s) => phases.includes(s.phase), timeoutMs);
}

export async function completeOnboarding(
  client: Client,
  sandbox: Sandbox,
  deploymentId: string,
  change?: (s: DeploymentSpecInput) => void,
): Promise<CompletedRun> {
  const spec = sandboxSpec(sandbox, deploymentId, change);
  const handle = await startOnboarding(client, spec, signer('staff-1'));
  await waitForPhase(handle, ['awaiting_approval']);
  await approveAs(handle, 'alice', 'checked');
  const result = await handle.result();
  if (result.outcome !== 'completed') throw new Error(`run ${handle.workflowId} ended ${result.outcome}`);
  return { spec, handle, runId: (await handle.describe()).runId, result };
}
