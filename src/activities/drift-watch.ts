// The drift watch: one Temporal Schedule per deployment that runs the consistency checks
// (checkDeploymentConsistency) every monitoring.interval once the onboarding completed. Created
// by the run itself through the worker's client, idempotently: a schedule that exists already
// (a re-onboarding, a retried activity) is brought up to date instead of duplicated. An offboarded
// deployment is no longer watched: its schedule is deleted (one already gone is success).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { verifyCommand } from '../approvals/command.js';
import { withRole } from '../security/worker-policy.js';
import { currentActivityContext, guarded, type ActivityDeps } from './context.js';
import type { StatusChange } from './types.js';
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

/** What an operator may do to a drift watch (showing it needs no signature). */
export type DriftWatchChange = 'pause' | 'resume' | 'run-now' | 'remove';

/** How old a signed drift-watch command may be: it is sent at once, and the activity keeps no nonces. */
const COMMAND_MAX_AGE_MS = 5 * 60_000;

export function driftWatchActivities(deps: ActivityDeps) {
  return {
    /**
     * Changes a drift watch on an operator's signed command, verified against the worker's
     * identity registry (role operator): the command names the schedule and the action.
     */
    async changeDriftWatch(token: string, deploymentId: string, action: DriftWatchChange): Promise<string> {
      const scheduleId = driftWatchScheduleId(deploymentId);
      // Commands are JWS: an operator verifies with a key (passkeys sign decisions on the page only).
      const operators = withRole(deps.policy, 'operator').flatMap((i) =>
        i.publicKey ? [{ name: i.name, publicKey: i.publicKey, thumbprint: i.thumbprint }] : [],
      );
      const checked = verifyCommand(token, {
        action: 'drift-watch',
        workflowId: scheduleId,
        maxAgeMs: COMMAND_MAX_AGE_MS,
        nowMs: Date.now(),
        signers: operators,
        role: 'an operator',
        usedNonces: new Set(),
      });
      if (!checked.ok) throw ApplicationFailure.nonRetryable(checked.reason, 'DriftWatchRefused');
      if (checked.claims.op !== action)
        throw ApplicationFailure.nonRetryable(
          `the command was signed for "${String(checked.claims.op)}", not ${action}`,
          'DriftWatchRefused',
        );
      const note = `${action} by ${checked.signer.name}${checked.claims.comment ? `: ${checked.claims.comment}` : ''}`;
      const handle = Context.current().client.schedule.getHandle(scheduleId);
      try {
        if (action === 'pause') await handle.pause(note);
        else if (action === 'resume') await handle.unpause(note);
        else if (action === 'run-now') await handle.trigger();
        else await handle.delete();
      } catch (err) {
        if (err instanceof ScheduleNotFoundError)
          throw ApplicationFailure.nonRetryable(`deployment ${deploymentId} has no drift watch`, 'DriftWatchRefused');
        throw err;
      }
      return note;
    },

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

    /** Offboarding: the deployment's schedule deleted; one already gone (or never made) is success. */
    async deleteDriftWatch(deploymentId: string): Promise<StatusChange> {
      return guarded(deps, async () => {
        const client = currentActivityContext()?.client;
        if (!client) throw new Error('no Temporal client in this activity context');
        try {
          await client.schedule.getHandle(driftWatchScheduleId(deploymentId)).delete();
          return 'changed';
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) return 'absent';
          throw err;
        }
      });
    },
  };
}
