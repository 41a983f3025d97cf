// Client side of the drift watch: the schedule a completed run made (one per deployment), shown,
// paused, resumed, run now or removed; and the deployments whose latest check is not ok, read from
// the check workflows' OnboardingHealth (the drift watch's runs and `g2p-onboard check` alike).
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, WorkflowFailedError, type Client } from '@temporalio/client';
import { signCommand, type Signer } from '../approvals/sign.js';
import { TASK_QUEUE } from '../workflows/messages.js';
import { driftWatchScheduleId } from '../spec/derived.js';
import { OnboardingDeploymentId, OnboardingHealth } from '../workflows/search-attributes.js';
import { Refused } from './runs.js';
import { CHECK_WORKFLOW_TYPE } from './checks.js';

export const CHANGE_DRIFT_WATCH_WORKFLOW_TYPE = 'changeDriftWatch';

export const DRIFT_WATCH_ACTIONS = ['show', 'pause', 'resume', 'run-now', 'remove'] as const;
export type DriftWatchAction = (typeof DRIFT_WATCH_ACTIONS)[number];

export interface DriftWatchView {
  scheduleId: string;
  deploymentId: string;
  paused: boolean;
  note?: string;
  interval?: string;
  nextRuns: string[];
  recentRuns: { workflowId: string; at: string }[];
}

/** Milliseconds as the spec writes durations (`1d`, `12h`, `90s`). */
function specDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** The deployment id a run reference names (`onboard-<id>` or the id itself). */
const deploymentOf = (ref: string) => (ref.startsWith('onboard-') ? ref.slice('onboard-'.length) : ref);

/**
 * Shows a drift watch; any other action is an operator's signed command, carried to the worker
 * (workflow changeDriftWatch), which checks the signature against its identity registry first.
 */
export async function driftWatch(
  client: Client,
  ref: string,
  action: DriftWatchAction,
  operator?: Signer,
  comment?: string,
): Promise<DriftWatchView | { scheduleId: string; removed: true }> {
  const deploymentId = deploymentOf(ref);
  const scheduleId = driftWatchScheduleId(deploymentId);
  const handle = client.schedule.getHandle(scheduleId);
  if (action !== 'show') {
    if (!operator) throw new Refused(`drift-watch ${action} is an operator's signed command: give --as and --key`);
    const token = signCommand(operator.key, {
      action: 'drift-watch',
      wid: scheduleId,
      actor: operator.name,
      op: action,
      ...(comment ? { comment } : {}),
    });
    try {
      await client.workflow.execute(CHANGE_DRIFT_WATCH_WORKFLOW_TYPE, {
        workflowId: `drift-watch-${action}-${deploymentId}-${randomUUID().slice(0, 8)}`,
        taskQueue: TASK_QUEUE,
        args: [token, deploymentId, action],
        typedSearchAttributes: [{ key: OnboardingDeploymentId, value: deploymentId }],
        staticSummary: `drift-watch ${action} of deployment ${deploymentId} by ${operator.name}`,
      });
    } catch (err) {
      // The activity's refusal (a bad signature, no such schedule) is the cause of the activity failure.
      if (err instanceof WorkflowFailedError)
        throw new Refused((err.cause?.cause as Error | undefined)?.message ?? err.cause?.message ?? err.message);
      throw err;
    }
    if (action === 'remove') return { scheduleId, removed: true };
  }
  try {
    const d = await handle.describe();
    const every = d.spec.intervals?.[0]?.every;
    return {
      scheduleId,
      deploymentId,
      paused: d.state.paused,
      note: d.state.note,
      interval: every === undefined ? undefined : specDuration(Number(every)),
      nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
      recentRuns: d.info.recentActions.map((a) => ({
        workflowId: a.action.workflow.workflowId,
        at: a.takenAt.toISOString(),
      })),
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new Refused(
        `deployment ${deploymentId} has no drift watch (schedule ${scheduleId}): a run creates it when it completes; \`g2p-onboard check ${deploymentId}\` checks once`,
      );
    throw err;
  }
}

export function renderDriftWatch(v: DriftWatchView): string {
  return [
    `drift watch ${v.scheduleId} of ${v.deploymentId}: ${v.paused ? 'PAUSED' : 'active'}${v.note ? ` (${v.note})` : ''}`,
    `  every:     ${v.interval ?? '?'}`,
    `  next:      ${v.nextRuns[0] ?? (v.paused ? '— (paused)' : '—')}`,
    `  last runs: ${v.recentRuns.map((r) => `${r.at} ${r.workflowId}`).join('\n             ') || 'none yet'}`,
  ].join('\n');
}

export interface HealthRow {
  deploymentId: string;
  health: string;
  checkedAt: string;
  workflowId: string;
}

/** The newest check of each deployment (drift watch or `check`), from the visibility store. */
export async function latestHealth(client: Client, deploymentId?: string): Promise<HealthRow[]> {
  let query = `WorkflowType = '${CHECK_WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed'`;
  if (deploymentId) query += ` AND ${OnboardingDeploymentId.name} = '${deploymentId.replaceAll("'", '')}'`;
  const newest = new Map<string, HealthRow>();
  let seen = 0;
  for await (const wf of client.workflow.list({ query })) {
    const id = wf.typedSearchAttributes.get(OnboardingDeploymentId);
    const health = wf.typedSearchAttributes.get(OnboardingHealth);
    if (!id || !health) continue;
    const checkedAt = (wf.closeTime ?? wf.startTime).toISOString();
    const known = newest.get(id);
    if (!known || known.checkedAt < checkedAt)
      newest.set(id, { deploymentId: id, health, checkedAt, workflowId: wf.workflowId });
    if (++seen >= 5000) break;
  }
  return [...newest.values()].sort((a, b) => a.deploymentId.localeCompare(b.deploymentId));
}
