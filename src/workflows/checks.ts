// checkDeploymentConsistency: the consistency checks as a short read-only workflow on the worker
// (where the secrets are), for `g2p-onboard check` and the drift watch. Its result is the report,
// recorded in history; `OnboardingHealth` on it says how the deployment fared.
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities/index.js';
import type { ConsistencyReport } from '../checks/report.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { OnboardingDeploymentId, OnboardingHealth } from './search-attributes.js';

// Reads only: a system that does not answer is reported (cannot-check), so few attempts suffice.
const checks = proxyActivities<OnboardingActivities>({
  summary: 'Consistency checks of e-Signet, MOSIP PMS and OpenG2P (read-only)',
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
});

export async function checkDeploymentConsistency(spec: DeploymentSpec): Promise<ConsistencyReport> {
  const report = await checks.checkDeployment(spec);
  upsertSearchAttributes([
    { key: OnboardingDeploymentId, value: spec.deploymentId },
    { key: OnboardingHealth, value: report.health },
  ]);
  return report;
}
