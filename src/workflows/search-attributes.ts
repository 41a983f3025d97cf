// The custom search attributes ops filter onboarding runs by in the Temporal UI and CLI.
// Workflow code imports this module, so it must stay deterministic: @temporalio/common only.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The deployment a run onboards (also in the workflow id, but filterable on its own). */
export const OnboardingDeploymentId = defineSearchAttributeKey('OnboardingDeploymentId', SearchAttributeType.KEYWORD);
/** The runbook step the run is in, upserted as each step starts. */
export const OnboardingStep = defineSearchAttributeKey('OnboardingStep', SearchAttributeType.KEYWORD);
/** Who approved (or rejected) the run's partner mapping. */
export const OnboardingApprover = defineSearchAttributeKey('OnboardingApprover', SearchAttributeType.KEYWORD);

/**
 * How a closed run ended: completed, rejected, timed_out or aborted. Temporal's own status says
 * COMPLETED for all four (each returns a result), so the UI's list and `g2p-onboard list` tell
 * them apart by this; unset while the run is open.
 */
export const OnboardingOutcome = defineSearchAttributeKey('OnboardingOutcome', SearchAttributeType.KEYWORD);

/**
 * What the last consistency check of a deployment found: ok, drift, expiring or unreachable. Set
 * on the check workflows (`g2p-onboard check`, the drift watch's runs), not on the onboarding run,
 * which is closed by then; `g2p-onboard list --unhealthy` reads the newest per deployment.
 */
export const OnboardingHealth = defineSearchAttributeKey('OnboardingHealth', SearchAttributeType.KEYWORD);

/** Every key a server must have registered before an onboarding run starts. */
export const ONBOARDING_SEARCH_ATTRIBUTES = [
  OnboardingDeploymentId,
  OnboardingStep,
  OnboardingApprover,
  OnboardingOutcome,
  OnboardingHealth,
] as const;

/** Names only, for `--search-attribute Name=Keyword` flags and `temporal operator search-attribute create`. */
export const ONBOARDING_SEARCH_ATTRIBUTE_NAMES: readonly string[] = ONBOARDING_SEARCH_ATTRIBUTES.map((key) => key.name);
