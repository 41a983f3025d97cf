// TEST ONLY: the next build of the onboarding workflow as the Upgrading rule says to write it.
// Today's workflow is imported and wrapped, not copied; the new step is guarded with patched(),
// so a run that a previous build started replays as it ran and takes the step only where it
// reaches it on this build.
import { patched, workflowInfo } from '@temporalio/workflow';
import { onboardDeployment as onboardToday, type ContinuedRun } from '../../src/workflows/onboarding.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import type { OnboardingResult, StartCommand } from '../../src/workflows/messages.js';
import { ANNOUNCE_AFTER_PATCH, ANNOUNCE_BEFORE_PATCH, announceOnboarding } from './announce.js';

export async function onboardDeployment(
  spec: DeploymentSpec,
  start: StartCommand,
  continued?: ContinuedRun,
): Promise<OnboardingResult> {
  // Started, not awaited, so the run's handlers are installed at once as today.
  const before =
    !continued && patched(ANNOUNCE_BEFORE_PATCH) ? announceOnboarding(workflowInfo().workflowId, 'before') : undefined;
  const result = await onboardToday(spec, start, continued);
  await before;
  if (patched(ANNOUNCE_AFTER_PATCH)) await announceOnboarding(workflowInfo().workflowId, 'after');
  return result;
}
