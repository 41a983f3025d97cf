// changeDriftWatch: an operator's signed command to pause, resume, run now or remove a
// deployment's drift watch, carried to the worker, which verifies the signature against its
// identity registry (role operator) before it touches the schedule. Its history records the
// signed command and what was done.
import { proxyActivities } from '@temporalio/workflow';
import type { DriftWatchChange } from '../activities/drift-watch.js';
import type { OnboardingActivities } from '../activities/index.js';

const control = proxyActivities<OnboardingActivities>({
  summary: "Change the deployment's drift watch on an operator's signed command",
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export async function changeDriftWatch(token: string, deploymentId: string, action: DriftWatchChange): Promise<string> {
  return control.changeDriftWatch(token, deploymentId, action);
}
