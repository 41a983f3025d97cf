// The day-two operations' contract: their workflow types, what starting one carries and what
// one returns. Queries, updates and signals are onboarding's (../messages.ts): status, auditTrail,
// approve/reject, retry/abort work on a lifecycle run exactly as on an onboarding run.
import type { DeploymentSpec } from '../../spec/schema.js';
import type { ApprovalRecord, AuditEntry, OnboardingIds, StepView } from '../messages.js';

/** Workflow type per operation; all of a deployment's run under one id (lifecycleWorkflowId). */
export const LIFECYCLE_WORKFLOW_TYPES = {
  offboard: 'offboardDeployment',
  'rotate-key': 'rotateClientKey',
  'rotate-credentials': 'rotateCredentials',
  update: 'updateDeployment',
  'renew-certificates': 'renewCertificates',
} as const;
export type LifecycleOperation = keyof typeof LIFECYCLE_WORKFLOW_TYPES;

/** What an operation changes beyond the spec; bound into the signed start command with it. */
export interface LifecycleOptions {
  /** update: the sections the new spec changes (shown as the plan, audited). */
  changes?: string[];
  /** rotate-credentials: issue a new API key. */
  apiKey?: boolean;
  /** rotate-credentials: renew the MISP license. */
  license?: boolean;
}

/** Starting an operation: the command signed by an initiator (src/approvals/command.ts), bound to lifecycleDigest(). */
export interface LifecycleStart {
  token: string;
  operation: LifecycleOperation;
  options?: LifecycleOptions;
}

/** What the signed start command of an operation binds: the operation, its options and the spec. */
export function lifecycleSubject(
  operation: LifecycleOperation,
  spec: DeploymentSpec,
  options: LifecycleOptions = {},
): Record<string, unknown> {
  return { operation, options, spec };
}

export interface LifecycleResult {
  operation: LifecycleOperation;
  outcome: 'completed' | 'rejected' | 'timed_out' | 'aborted' | 'rolled_back';
  workflowId: string;
  deploymentId: string;
  ids: OnboardingIds;
  /** What the operation switched off (offboarding) or replaced (rotations), one line each. */
  changes: string[];
  approvals: ApprovalRecord[];
  steps: StepView[];
  audit: AuditEntry[];
  /** The spec in force after the operation (secret references only): the next operation starts from it. */
  spec: DeploymentSpec;
  initiator: string;
  startedAt: string;
  endedAt: string;
}

/** Every day-two workflow as clients see it. */
export type LifecycleWorkflow = (spec: DeploymentSpec, start: LifecycleStart) => Promise<LifecycleResult>;
