// awaitApproval: the long, human part of a run. Waits for the Partner Admins' signed decisions
// (N of M, any rejection ends it) or a decision given in the PMS portal, reminds, escalates,
// times out, and continues as a new run when history grows. A unit of its own: the runbook
// (onboarding.ts) calls it once and gets the outcome.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import type { ApprovalNotice } from '../activities/notifications.js';
import type { MappingDecision, MappingResult, PrerequisiteReport } from '../activities/types.js';
import { durationMs } from '../spec/derived.js';
import { notices, pmsWatcher, remote } from './activity-options.js';
import type { ApprovalBook, ApprovalSnapshot } from './approval.js';
import type { AuthoritySnapshot, RunAuthority } from './authority.js';
import type { OnboardingResult, StartCommand } from './messages.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { OnboardingRun, RunSnapshot } from './run-state.js';

/** A run continued while waiting for approval, so history stays bounded however long the wait. */
export interface ContinuedRun {
  run: RunSnapshot;
  authority: AuthoritySnapshot;
  approval: ApprovalSnapshot;
  prerequisites: PrerequisiteReport;
  mapping: MappingResult;
  /** Counts notices across continued runs, for stable notice ids. */
  noticesSent: number;
}

/** What continue-as-new starts again: the runbook (onboarding.ts), with the carried state. */
type ContinuedWorkflow = (
  spec: DeploymentSpec,
  start: StartCommand,
  continued: ContinuedRun,
) => Promise<OnboardingResult>;

/** Events after which a waiting run continues as new (Temporal suggests it at ~4k; a reminder adds ~8). */
const HISTORY_LIMIT = 2_000;

export type ApprovalOutcome = 'approved' | 'rejected' | 'timed_out';

/**
 * awaitApproval waits for the Partner Admins: signed decisions sent to this run (N of M, any
 * rejection ends it), or a decision given in the PMS portal, noticed by a PMS watch. Reminds at
 * the spec's interval, escalates once, and ends as timed_out at the deadline. Continues as a
 * new run when history grows, carrying everything over.
 */
export async function awaitApproval(
  run: OnboardingRun,
  approvals: ApprovalBook,
  mapping: MappingResult,
  carry: Omit<ContinuedRun, 'run' | 'approval' | 'authority'> & { authority: RunAuthority; start: StartCommand },
): Promise<ApprovalOutcome> {
  let noticesSent = carry.noticesSent;
  const notify = async (kind: ApprovalNotice['kind']) => {
    const s = approvals.state;
    const p = approvals.pending()!;
    noticesSent += 1;
    const notice: ApprovalNotice = {
      noticeId: `${workflowInfo().workflowId}/${workflowInfo().firstExecutionRunId}/${kind}/${noticesSent}`,
      kind,
      workflowId: workflowInfo().workflowId,
      deploymentId: run.deploymentId,
      mappingKey: s.mappingKey!,
      waitingSince: s.openedAt!,
      deadline: p.deadline,
      awaiting: p.awaiting,
      approvalsSoFar: s.decisions.filter((d) => d.decision === 'approve' && d.via !== 'pms').length,
      required: p.required,
      howToApprove: `g2p-onboard approve ${run.deploymentId} --as <approver> --key <private key file>`,
    };
    const delivery = await notices.notifyApprovers(run.spec, notice).catch(() => 'failed' as const);
    run.record({
      event: `approval.${kind}`,
      step: 'awaitApproval',
      detail: `${kind} ${delivery}: awaiting ${notice.awaiting.join(', ') || 'PMS'}`,
    });
  };

  return run.runStep(
    'awaitApproval',
    async () => {
      approvals.open(mapping.mappingKey);
      if (mapping.status !== 'InProgress' && !approvals.state.pmsStatus)
        approvals.recordPms(mapping.status === 'approved' ? 'approved' : 'rejected', 'found');
      run.phase = 'awaiting_approval';
      const a = () => run.spec.approval;
      const done = () => {
        const people = approvals.verdict();
        const pms = approvals.state.pmsStatus;
        if (people === 'rejected' || pms) return true;
        // Without the right to record it on PMS, an approval must also be seen there.
        return people === 'approved' && a().recordInPms;
      };
      // Watched from the start; its first check is one poll interval away (PMS was read when the
      // mapping was requested). Armed here rather than after a timer: a timer firing costs every
      // waiting run a workflow task, and a replay once it has left the worker's cache.
      const watch = done()
        ? undefined
        : watchPms(run, mapping.mappingKey, (status) => {
            if (!done()) approvals.recordPms(status);
          });
      let continuing = false;
      try {
        while (!done()) {
          const s = approvals.state;
          // What falls due next is decided from state alone, and once its timer fires, everything
          // due by then is handled: a replay takes the same branches whatever its clock reads
          // (comparing Date.now() with a deadline after a timer made replays of evicted runs
          // diverge by milliseconds).
          const escalateAt =
            a().escalateAfter && !s.escalated ? Date.parse(s.openedAt!) + durationMs(a().escalateAfter!) : Infinity;
          const wake = Math.min(s.nextReminderAt ?? Infinity, escalateAt, s.deadlineAt!);
          // Between timers only a decision, PMS's answer or a failed watch wakes this run: an idle
          // waiting run has nothing to replay and can be evicted from the worker's cache.
          const due =
            wake >= s.deadlineAt!
              ? 'the deadline (the run then ends timed_out)'
              : escalateAt <= wake
                ? 'the escalation to the approvers'
                : 'the next reminder to the approvers';
          const summary = `Waiting for the Partner Admin's decision on mapping ${mapping.mappingKey} until ${due}, ${new Date(wake).toISOString()}`;
          if (
            await condition(() => done() || watch?.failure !== undefined, Math.max(wake - Date.now(), 1), { summary })
          ) {
            if (watch?.failure !== undefined && !done()) throw watch.failure;
            break;
          }
          if (wake >= s.deadlineAt!) {
            await notify('timeout');
            approvals.close();
            return 'timed_out' as const;
          }
          if (escalateAt <= wake) {
            approvals.markEscalated();
            await notify('escalation');
          }
          // Due before the deadline (a reminder at the deadline itself is the timeout notice).
          if (s.nextReminderAt !== undefined && s.nextReminderAt <= wake) {
            approvals.advanceReminder();
            await notify('reminder');
          }
          if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT) {
            await condition(allHandlersFinished);
            if (!done()) {
              // The watch is left as it is: closing this run ends its pending activity on the server.
              continuing = true;
              await continueAsNew<ContinuedWorkflow>(run.spec, carry.start, {
                run: run.snapshot(),
                authority: carry.authority.snapshot(),
                approval: approvals.snapshot(),
                prerequisites: carry.prerequisites,
                mapping,
                noticesSent,
              });
            }
          }
        }
      } finally {
        if (!continuing) await watch?.stop();
      }
      const people = approvals.verdict();
      const pms = approvals.state.pmsStatus;
      const outcome: ApprovalOutcome = people === 'rejected' || pms === 'rejected' ? 'rejected' : 'approved';
      // Mirror the people's decision onto PMS so the mapping there matches the record.
      if (!pms && a().recordInPms)
        await remote.decidePolicyMapping(
          run.spec,
          mapping.mappingKey,
          outcome === 'approved' ? 'Approved' : 'Rejected',
        );
      approvals.close();
      run.phase = 'running';
      return outcome;
    },
    (outcome) =>
      `${outcome}${approvals.decisions.length ? ` by ${approvals.decisions.map((d) => d.approver).join(', ')}` : ''}`,
  );
}

/** One PMS watch: an activity Temporal retries at the poll interval until PMS shows a decision. */
interface PmsWatch {
  /** A failure retrying cannot fix (PMS lost the mapping, credentials refused): blocks the step. */
  readonly failure?: unknown;
  /** Cancels the watch and waits until it has settled. */
  stop(): Promise<void>;
}

function watchPms(
  run: OnboardingRun,
  mappingKey: string,
  decided: (status: MappingDecision['status']) => void,
): PmsWatch {
  const watcher = pmsWatcher(run.spec.approval.pollInterval, mappingKey);
  const scope = new CancellationScope();
  let failure: unknown;
  const settled = scope
    .run(() => watcher.awaitPolicyMappingDecision(run.spec, mappingKey))
    .then(
      (r) => decided(r.status),
      (err: unknown) => {
        if (!isCancellation(err)) failure = err;
      },
    );
  return {
    get failure() {
      return failure;
    },
    stop: async () => {
      scope.cancel();
      await settled;
    },
  };
}
