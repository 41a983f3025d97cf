// The drift watch: one Temporal Schedule per deployment that runs the consistency checks
// (checkDeploymentConsistency) every monitoring.interval once the onboarding completed. Created
// by the run itself through the worker's client, idempotently: a schedule that exists already
// (a re-onboarding, a retried activity) is brought up to date instead of duplicated.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { durationMs, driftWatchScheduleId, monitoringOf } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { TASK_QUEUE } from '../workflows/messages.js';
import { OnboardingDeploymentId } from '../workflows/search-attributes.js';

/** gRPC status code 12: the server does not implement the call. */
const GRPC_UNIMPLEMENTED = 12;

export const CHECK_WORKFLOW_TYPE = 'checkDeploymentConsistency';

/** What the schedule's runs are told: post a notice when something is not ok. */
export interface CheckOptions {
  notify?: boolean;
}

export interface DriftWatchResult {
  scheduleId: string;
  created: boolean;
  interval: string;
}

/** The schedule's definition for a spec: the checks workflow with it, every monitoring.interval. */
export function driftWatchSchedule(spec: DeploymentSpec): ScheduleOptions {
  const { interval } = monitoringOf(spec);
  const options: CheckOptions = { notify: true };
  return {
    scheduleId: driftWatchScheduleId(spec.deploymentId),
    spec: { intervals: [{ every: durationMs(interval) }] },
    action: {
      type: 'startWorkflow',
      workflowType: CHECK_WORKFLOW_TYPE,
      // Temporal appends the time of each run to this id.
      workflowId: `check-${spec.deploymentId}`,
      taskQueue: TASK_QUEUE,
      args: [spec, options],
      typedSearchAttributes: [{ key: OnboardingDeploymentId, value: spec.deploymentId }],
      staticSummary: `Drift watch of deployment ${spec.deploymentId}`,
    },
    // A check still running when the next is due: skip the next (they read, nothing queues up).
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    typedSearchAttributes: [{ key: OnboardingDeploymentId, value: spec.deploymentId }],
    memo: { deploymentId: spec.deploymentId, interval },
  };
}

/** Creates the deployment's schedule, or updates the one that exists; never a second one. */
export async function ensureSchedule(client: Client, spec: DeploymentSpec): Promise<DriftWatchResult> {
  const options = driftWatchSchedule(spec);
  const interval = monitoringOf(spec).interval;
  try {
    await client.schedule.create(options);
    return { scheduleId: options.scheduleId, created: true, interval };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({
    ...previous,
    spec: options.spec,
    action: { ...previous.action, ...options.action } as typeof previous.action,
    policies: { ...previous.policies, ...options.policies },
  }));
  return { scheduleId: options.scheduleId, created: false, interval };
}

export function driftWatchActivities() {
  return {
    /** Runs on the worker: its client (and codec) writes the schedule, whose runs carry the spec. */
    async ensureDriftWatch(spec: DeploymentSpec): Promise<DriftWatchResult> {
      try {
        return await ensureSchedule(Context.current().client, spec);
      } catch (err) {
        // A server without schedules (the time-skipping test server) will not grow them on a retry.
        if ((err as { cause?: { code?: number } }).cause?.code === GRPC_UNIMPLEMENTED)
          throw ApplicationFailure.nonRetryable(
            'this Temporal server does not offer schedules: the deployment is not watched (use `g2p-onboard check`)',
            'DriftWatchUnavailable',
          );
        throw err;
      }
    },
  };
}
