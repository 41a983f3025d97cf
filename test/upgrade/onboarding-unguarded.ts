// TEST ONLY: the same change as onboarding-patched.ts without patched(): what the Upgrading rule
// forbids. A run a previous build started would take the new step on replay where its history
// has none: the corpus replay must reject this bundle.
import { workflowInfo } from '@temporalio/workflow';
import { onboardDeployment as onboardToday, type ContinuedRun } from '../../src/workflows/onboarding.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import type { OnboardingResult, StartCommand } from '../../src/workflows/messages.js';
import { announceOnboarding } from './announce.js';

export async function onboardDeployment(
  spec: DeploymentSpec,
  start: StartCommand,
  continued?: ContinuedRun,
): Promise<OnboardingResult> {
  const before = !continued ? announceOnboarding(workflowInfo().workflowId, 'before') : undefined;
  const result = await onboardToday(spec, start, continued);
  await before;
  await announceOnboarding(workflowInfo().workflowId, 'after');
  return result;
}
