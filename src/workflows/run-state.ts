// The onboarding run's durable state: step list with timings, audit trail, phase, approvals
// and the blocked/retry/abort cycle. One place keeps these consistent so each step of the
// workflow is a single call to `runStep`.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  STEP_NAMES,
  type ApprovalRecord,
  type AuditEntry,
  type BlockingError,
  type OnboardingIds,
  type PendingApproval,
  type Phase,
  type AnyStepName,
  type StepName,
  type StatusView,
  type StepView,
} from './messages.js';
import { OnboardingApprover, OnboardingOutcome, OnboardingStep } from './search-attributes.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { BLOCKING_REASONS, isBlockingReason } from './blocking.js';
import { recordBuild } from './build.js';
import { changedSections } from './spec-diff.js';

export { changedFixedSections, changedSections } from './spec-diff.js';

/** Everything a continued run needs to go on where the previous one stopped. */
export interface RunSnapshot {
  phase: Phase;
  steps: StepView[];
  audit: AuditEntry[];
  ids: OnboardingIds;
  /** Carried by runs of earlier builds; the approval book owns decisions now (ApprovalSnapshot). */
  approvals?: ApprovalRecord[];
  startedAt: string;
  initiator: string;
}

/** What the run shows of its approval; the approval book (approval.ts) owns and writes it. */
export interface ApprovalLedger {
  readonly decisions: readonly ApprovalRecord[];
  pending(): PendingApproval | undefined;
}

/** Thrown out of `runStep` when ops abort a blocked run. */
export class RunAborted extends Error {
  constructor(
    readonly operator: string,
    readonly comment: string,
  ) {
    super(`aborted by ${operator}: ${comment}`);
  }
}

const now = (): string => new Date(Date.now()).toISOString();

export class OnboardingRun {
  phase: Phase = 'running';
  /** The spec in force: a `retry` may bring a corrected one. */
  spec: DeploymentSpec;
  initiator: string;
  currentStep?: AnyStepName;
  steps: StepView[];
  audit: AuditEntry[] = [];
  ids: OnboardingIds = {};
  /** Set by the approval book, which alone keeps the decisions. */
  ledger?: ApprovalLedger;
  lastError?: BlockingError;
  startedAt = now();
  endedAt?: string;
  /**
   * Set by the workflow: brings finished steps up to date with a corrected spec (`retry --spec`)
   * before the blocked step resumes. `before` is the spec the steps were applied with;
   * `blockedBy` the failure type the step blocked with (some re-apply a step without a new spec).
   */
  reapply?: (before: DeploymentSpec, blockedBy: string) => Promise<void>;
  /** Set by the retry/abort updates while blocked. */
  private resolution?: { kind: 'retry'; operator: string } | { kind: 'abort'; operator: string; comment: string };

  /** `stepNames`: the runbook's steps, or a day-two operation's (src/workflows/lifecycle/). */
  constructor(spec: DeploymentSpec, initiator: string, stepNames: readonly AnyStepName[] = STEP_NAMES) {
    this.spec = spec;
    this.initiator = initiator;
    this.steps = stepNames.map((name) => ({ name, status: 'pending', retries: 0 }));
  }

  get deploymentId(): string {
    return this.spec.deploymentId;
  }

  snapshot(): RunSnapshot {
    return {
      phase: this.phase,
      steps: this.steps,
      audit: this.audit,
      ids: this.ids,
      startedAt: this.startedAt,
      initiator: this.initiator,
    };
  }

  restore(s: RunSnapshot): void {
    Object.assign(this, {
      phase: s.phase,
      steps: s.steps,
      audit: s.audit,
      ids: s.ids,
      startedAt: s.startedAt,
      initiator: s.initiator,
    });
  }

  record(entry: Omit<AuditEntry, 'at'>): void {
    // Whatever a task records, it first notes the build running it (see build.ts).
    recordBuild();
    this.audit.push({ at: now(), ...entry });
  }

  private view(name: AnyStepName): StepView {
    return this.steps.find((s) => s.name === name)!;
  }

  status(): StatusView {
    return {
      workflowId: workflowInfo().workflowId,
      firstRunId: workflowInfo().firstExecutionRunId,
      deploymentId: this.deploymentId,
      initiator: this.initiator,
      phase: this.phase,
      currentStep: this.currentStep,
      steps: this.steps.map((s) => ({ ...s })),
      pendingApproval: this.ledger?.pending(),
      lastError: this.lastError,
      ids: { ...this.ids },
      startedAt: this.startedAt,
      endedAt: this.endedAt,
    };
  }

  startStep(name: AnyStepName): void {
    const step = this.view(name);
    this.currentStep = name;
    step.status = 'running';
    step.startedAt ??= now();
    upsertSearchAttributes([{ key: OnboardingStep, value: name }]);
    this.record({ event: 'step.started', step: name });
  }

  completeStep(name: AnyStepName, summary?: string): void {
    const step = this.view(name);
    step.status = 'completed';
    step.endedAt = now();
    step.summary = summary;
    this.record({ event: 'step.completed', step: name, detail: summary });
  }

  recordApprover(approver: string): void {
    upsertSearchAttributes([{ key: OnboardingApprover, value: approver }]);
  }

  /**
   * Runs one step. A non-retryable failure parks the run as `blocked` until ops send
   * `retry` (the step runs again; finished steps are kept) or `abort`.
   */
  async runStep<T>(name: AnyStepName, body: () => Promise<T>, summarize?: (result: T) => string): Promise<T> {
    this.startStep(name);
    for (;;) {
      try {
        const result = await body();
        this.completeStep(name, summarize?.(result));
        return result;
      } catch (err) {
        const blocking = toBlockingError(name, err);
        if (!blocking) throw err;
        const before = this.spec;
        await this.block(blocking);
        await this.reapply?.(before, blocking.type);
      }
    }
  }

  /**
   * Runs a finished step again because a corrected spec changed its inputs (`because`), audited
   * as `step.reapplying` / `step.reapplied`. Blocks like any step; the step stays completed.
   */
  async reapplyStep<T>(
    name: StepName,
    because: readonly string[],
    body: () => Promise<T>,
    summarize?: (result: T) => string,
  ): Promise<T> {
    const step = this.view(name);
    const resumed = this.currentStep;
    this.currentStep = name;
    this.record({ event: 'step.reapplying', step: name, detail: `inputs changed: ${because.join(', ')}` });
    try {
      for (;;) {
        try {
          const result = await body();
          step.status = 'completed';
          step.endedAt = now();
          step.summary = summarize?.(result) ?? step.summary;
          step.reapplied = (step.reapplied ?? 0) + 1;
          this.record({ event: 'step.reapplied', step: name, detail: step.summary });
          return result;
        } catch (err) {
          const blocking = toBlockingError(name, err);
          if (!blocking) throw err;
          await this.block(blocking);
        }
      }
    } finally {
      this.currentStep = resumed;
    }
  }

  private async block(error: BlockingError): Promise<void> {
    const step = this.view(error.step);
    step.status = 'blocked';
    this.phase = 'blocked';
    this.lastError = error;
    this.record({
      event: 'step.blocked',
      step: error.step,
      detail: `${error.type}${error.code ? ` ${error.code}` : ''}: ${error.message}`,
    });
    await condition(() => this.resolution !== undefined);
    const resolution = this.resolution!;
    this.resolution = undefined;
    if (resolution.kind === 'abort') {
      throw new RunAborted(resolution.operator, resolution.comment);
    }
    step.status = 'running';
    step.retries += 1;
    this.phase = 'running';
    this.lastError = undefined;
  }

  isBlocked(): boolean {
    return this.phase === 'blocked';
  }

  requestRetry(
    operator: string,
    comment: string | undefined,
    correctedSpec: DeploymentSpec | undefined,
    signed: Pick<AuditEntry, 'token' | 'key'>,
  ): void {
    const changed = correctedSpec ? changedSections(this.spec, correctedSpec) : [];
    const detail = [comment, changed.length ? `spec corrected: ${changed.join(', ')}` : undefined]
      .filter(Boolean)
      .join('; ');
    this.record({
      event: 'run.retry',
      step: this.currentStep,
      actor: operator,
      detail: detail || undefined,
      ...signed,
    });
    if (correctedSpec) this.spec = correctedSpec;
    this.resolution = { kind: 'retry', operator };
  }

  requestAbort(operator: string, comment: string, signed: Pick<AuditEntry, 'token' | 'key'>): void {
    this.record({ event: 'run.abort', step: this.currentStep, actor: operator, detail: comment, ...signed });
    this.resolution = { kind: 'abort', operator, comment };
  }

  finish(
    phase: Extract<Phase, 'completed' | 'rejected' | 'timed_out' | 'aborted' | 'rolled_back'>,
    detail?: string,
  ): void {
    this.phase = phase;
    this.endedAt = now();
    this.currentStep = undefined;
    for (const s of this.steps) if (s.status === 'pending') s.status = 'skipped';
    upsertSearchAttributes([{ key: OnboardingOutcome, value: phase }]);
    this.record({ event: `run.${phase}`, detail });
  }
}

/** A failure that retrying cannot fix becomes a BlockingError; anything else is rethrown. */
function toBlockingError(step: AnyStepName, err: unknown): BlockingError | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || !cause.nonRetryable) return undefined;
  const type = cause.type ?? 'Error';
  const details = (cause.details?.[0] ?? {}) as { code?: string; hint?: string };
  return {
    step,
    type,
    code: details.code,
    message: cause.message,
    at: now(),
    hint: details.hint ?? (isBlockingReason(type) ? BLOCKING_REASONS[type] : 'fix the cause, then `g2p-onboard retry`'),
  };
}
