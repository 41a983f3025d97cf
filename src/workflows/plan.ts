// planDeploymentChanges: `g2p-onboard plan` as a short read-only workflow on the worker (where the
// secrets are). Its result, recorded in history, is the plan: per resource create, update,
// in sync, conflict or cannot check. It changes nothing on any system.
import { proxyActivities } from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities/index.js';
import type { DeploymentPlan } from '../checks/plan.js';
import type { DeploymentSpec } from '../spec/schema.js';

// Reads only: a system that does not answer is reported (cannot check), so few attempts suffice.
const reads = proxyActivities<OnboardingActivities>({
  summary: 'Plan: read e-Signet, MOSIP PMS and OpenG2P, change nothing',
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
});

export async function planDeploymentChanges(spec: DeploymentSpec): Promise<DeploymentPlan> {
  return reads.planDeployment(spec);
}
