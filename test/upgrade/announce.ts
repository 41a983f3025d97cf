// The one step the test-only "next build" adds to the onboarding workflow: an announcement
// before the runbook starts and one after it ends, each an activity the upgrade test records.
// Shared by the guarded and the unguarded variant (onboarding-patched.ts, onboarding-unguarded.ts).
import { proxyActivities } from '@temporalio/workflow';

export interface AnnounceActivities {
  announceOnboarding(workflowId: string, when: 'before' | 'after'): Promise<void>;
}

/** The patch ids of the two announcements (README, Upgrading: one id per change, kebab-case). */
export const ANNOUNCE_BEFORE_PATCH = 'announce-before-onboarding';
export const ANNOUNCE_AFTER_PATCH = 'announce-after-onboarding';

export const { announceOnboarding } = proxyActivities<AnnounceActivities>({ startToCloseTimeout: '30 seconds' });
