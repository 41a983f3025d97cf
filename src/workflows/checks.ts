// checkDeploymentConsistency: the consistency checks as a short read-only workflow on the worker
// (where the secrets are), for `g2p-onboard check` and the drift watch. Its result is the report,
// recorded in history; `OnboardingHealth` on it says how the deployment fared. The drift watch's
// runs (notify) also post a notice when the deployment is not ok.
import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities/index.js';
import type { CheckOptions } from '../activities/drift-watch.js';
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

// A notice that cannot be delivered is recorded in the result; the check itself stands.
const notices = proxyActivities<OnboardingActivities>({
  summary: 'Post the drift watch notice to the monitoring webhook',
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export type CheckResultWithNotice = ConsistencyReport & { notice?: 'delivered' | 'skipped' | 'failed' };

export async function checkDeploymentConsistency(
  spec: DeploymentSpec,
  options?: CheckOptions,
): Promise<CheckResultWithNotice> {
  const report = await checks.checkDeployment(spec);
  upsertSearchAttributes([
    { key: OnboardingDeploymentId, value: spec.deploymentId },
    { key: OnboardingHealth, value: report.health },
  ]);
  if (!options?.notify || report.health === 'ok') return report;
  const notice = await notices
    .notifyDrift(spec, {
      noticeId: workflowInfo().workflowId,
      kind: 'drift',
      deploymentId: spec.deploymentId,
      health: report.health,
      checkedAt: report.checkedAt,
      findings: report.results
        .filter((r) => r.status !== 'in-sync' && (report.health === 'unreachable' || r.status !== 'cannot-check'))
        .map(({ resource, check, status, detail }) => ({ resource, check, status, detail })),
      howToSee: `g2p-onboard check ${spec.deploymentId}`,
    })
    .catch(() => 'failed' as const);
  return { ...report, notice };
}
