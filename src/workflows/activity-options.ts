// Every activity the onboarding workflow calls, with how long each may take and how it is
// retried, in one place. Workflow code: proxies only, the implementations run on the worker.
import { proxyActivities } from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities/index.js';

// Remote calls answer in seconds; transient failures (network, 5xx, 429) retry with backoff
// without limit — they never block the run. Non-retryable failures come back typed.
// Activities heartbeat every 2 s, so a worker that died is noticed in seconds, not minutes.
export const remote = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The end-to-end login check walks several systems in one activity.
export const verification = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// Admission reads the worker's own files; a refusal is final, anything else is retried.
export const admission = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A reminder that cannot be delivered is not worth blocking an approval for.
export const notices = proxyActivities<OnboardingActivities>({
  summary: 'Notify the approvers (reminder, escalation or timeout) at the approval webhook',
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

// The drift watch's schedule is the run's last act: a few attempts, and a failure is recorded, not blocking.
export const watches = proxyActivities<OnboardingActivities>({
  summary: 'Create (or update) the drift watch schedule of the deployment',
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/**
 * The PMS watch: one activity Temporal retries at the poll interval until PMS shows a decision
 * (MappingStillPending sets its own next delay; transient errors wait as long).
 */
export function pmsWatcher(pollInterval: string, mappingKey: string) {
  return proxyActivities<OnboardingActivities>({
    // What the Temporal UI shows for the pending activity, whose "not yet" attempts are benign.
    summary: `PMS watch: checks policy mapping ${mappingKey} every ${pollInterval} for a decision given in the PMS portal ("still pending" is expected, not an error)`,
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '10 seconds',
    retry: { initialInterval: pollInterval, backoffCoefficient: 1, maximumInterval: pollInterval },
  });
}
