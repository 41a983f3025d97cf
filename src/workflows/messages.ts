// The onboarding workflow's contract with the outside world: its name, task queue, the
// queries, updates and signals it handles, and the shapes they carry. The CLI imports this
// module too, so callers send exactly what the workflow handles.
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { DeploymentSpec } from '../spec/schema.js';
import type { SignerJwk } from '../approvals/jws.js';
import type { PasskeyAssertion, TrustedPasskey } from '../approvals/passkey.js';

export const TASK_QUEUE = 'g2p-onboard';
export const ONBOARDING_WORKFLOW_TYPE = 'onboardDeployment';
/** The activity that watches PMS for the Partner Admin's decision; its attempts are the polls. */
export const PMS_WATCH_ACTIVITY = 'awaitPolicyMappingDecision';
/** The failure type of a run the worker will not run (a forged or unsigned start, a spec beyond its policy). */
export const RUN_REFUSED = 'RunRefused';
/** The failure type of a poll that found the mapping still undecided (benign, retried). */
export const MAPPING_STILL_PENDING = 'MappingStillPending';

/** The runbook's steps, in order. */
export const STEP_NAMES = [
  'verifyPrerequisites',
  'createAuthPartner',
  'requestAuthPolicyMapping',
  'createMispPartner',
  'requestMispLicense',
  'awaitApproval',
  'collectCredentials',
  'generateClientKey',
  'registerOidcClient',
  'configureOpenG2P',
  'verifyIntegration',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/**
 * The steps of the day-two operations (src/workflows/lifecycle/), every operation's in one list;
 * a lifecycle run's step list holds its own operation's steps only.
 */
export const LIFECYCLE_STEP_NAMES = [
  'inspectDeployment',
  'awaitApproval',
  // offboardDeployment
  'disableOpenG2PProvider',
  'deactivateOidcClient',
  'deactivateApiKey',
  'deactivateMispLicense',
  'deactivatePartners',
  'deleteDriftWatch',
  // rotateClientKey
  'generateNextClientKey',
  'registerNextOidcClient',
  'switchOpenG2PClient',
  'verifyDeployment',
  'deactivateOldOidcClient',
  'switchOpenG2PBack',
  'deactivateNextOidcClient',
  // rotateCredentials
  'issueNextApiKey',
  'deactivateOldApiKey',
  'renewMispLicense',
  // updateDeployment
  'updateOidcClient',
  'updateOpenG2PProvider',
  // renewCertificates
  'renewAuthPartnerCertificate',
  'renewMispPartnerCertificate',
] as const;
export type LifecycleStepName = (typeof LIFECYCLE_STEP_NAMES)[number];
/** A step of any run: onboarding's runbook or a day-two operation. */
export type AnyStepName = StepName | LifecycleStepName;

export type StepStatus = 'pending' | 'running' | 'completed' | 'blocked' | 'skipped';

/**
 * running → awaiting_approval → running → completed; blocked while a person must fix a cause;
 * rejected / timed_out / aborted are the other ends.
 */
export type Phase =
  | 'running'
  | 'awaiting_approval'
  | 'blocked'
  | 'completed'
  | 'rejected'
  | 'timed_out'
  | 'aborted'
  /** A day-two operation whose verification failed and whose changes were switched back. */
  | 'rolled_back';

export interface StepView {
  name: AnyStepName;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  /** Times this step was resumed after being blocked. */
  retries: number;
  /** Times this finished step was run again because a corrected spec changed its inputs (`retry --spec`). */
  reapplied?: number;
  /** One line on what the step produced (ids, fingerprints — never secret values). */
  summary?: string;
}

/** A failure retrying cannot fix, as shown to ops. */
export interface BlockingError {
  step: AnyStepName;
  /** `RemoteRejection`, `PrerequisiteFailed`, `SecretUnavailable`, `ContractViolation`… */
  type: string;
  /** The remote system's own error code when there is one (`PMS_PRT_098`, `invalid_redirect_uri`). */
  code?: string;
  message: string;
  at: string;
  /** What to do about it. */
  hint: string;
}

export interface PendingApproval {
  since: string;
  deadline: string;
  mappingKey: string;
  approvers: string[];
  /** Approvers who have not decided yet (the initiator excluded). */
  awaiting: string[];
  required: number;
  decisions: ApprovalRecord[];
}

export interface ApprovalRecord {
  approver: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: string;
  /** When the approver signed it (absent for decisions seen in PMS). */
  signedAt?: string;
  /** `update` when a person decided through the CLI/API, `pms` when seen in the PMS portal. */
  via: 'update' | 'signal' | 'pms';
}

export interface StatusView {
  workflowId: string;
  /** Signed decisions name this run id; it stays the same across continue-as-new. */
  firstRunId: string;
  deploymentId: string;
  /** Who started the run (may not approve it). */
  initiator: string;
  phase: Phase;
  currentStep?: AnyStepName;
  steps: StepView[];
  pendingApproval?: PendingApproval;
  lastError?: BlockingError;
  /** Remote ids created so far. */
  ids: OnboardingIds;
  startedAt: string;
  endedAt?: string;
}

export interface OnboardingIds {
  authPartnerId?: string;
  mispPartnerId?: string;
  policyMappingKey?: string;
  oidcClientId?: string;
  openg2pProviderId?: number;
  clientKeyThumbprint?: string;
  apiKeyFingerprint?: string;
  mispLicenseFingerprint?: string;
}

export interface AuditEntry {
  at: string;
  /** `step.started`, `step.completed`, `step.blocked`, `approval.approve`, `approval.refused`, `run.retry`, `run.abort`… */
  event: string;
  step?: AnyStepName;
  actor?: string;
  detail?: string;
  /** The signed decision or command (compact JWS, or `passkey.…` for a passkey decision), kept so anyone can re-verify it. */
  token?: string;
  /** The signer's public key in force when it was accepted (from the worker's identity registry). */
  key?: {
    thumbprint: string;
    publicKey: SignerJwk;
    /** A passkey decision's: the credential and the page it may be used on, to re-verify it. */
    passkey?: { credentialId: string; rpId: string; origins: string[] };
  };
}

export interface OnboardingResult {
  outcome: 'completed' | 'rejected' | 'timed_out' | 'aborted';
  workflowId: string;
  deploymentId: string;
  ids: OnboardingIds;
  approvals: ApprovalRecord[];
  steps: StepView[];
  /** The whole audit trail, so it can be read from history alone after the run closed. */
  audit: AuditEntry[];
  /** The spec the run ended with (secret references only). */
  spec: DeploymentSpec;
  initiator: string;
  startedAt: string;
  endedAt: string;
}

/**
 * A decision signed by the approver, approver, decision and comment inside: a compact JWS (the
 * CLI, src/approvals/decision.ts) or a passkey assertion over the decision payload (the
 * approvals page, src/approvals/passkey.ts). One of the two.
 */
export interface DecisionInput {
  token?: string;
  passkey?: PasskeyAssertion;
}

/**
 * The onboarding workflow as clients see it, so handles are typed by it and results need no
 * casts. Clients never pass the third argument: only the run's own continue-as-new carries state.
 * (test/unit/messages-contract.test.ts pins onboardDeployment to it.)
 */
export type OnboardingWorkflow = (
  spec: DeploymentSpec,
  start: StartCommand,
  continued?: never,
) => Promise<OnboardingResult>;

/** The `start` command, signed by the initiator (src/approvals/command.ts); it binds the spec's digest. */
export interface StartCommand {
  token: string;
}

export interface RetryInput {
  /** The `retry` command signed by an operator; it carries the comment and the corrected spec's digest. */
  token: string;
  /** A corrected spec for the same deployment (secret references only); validated before it is used. */
  spec?: DeploymentSpec;
}

export interface AbortInput {
  /** The `abort` command signed by an operator; it carries the comment (required). */
  token: string;
}

/** A person the worker's identity registry vouches for, as a run records them: public keys only. */
export interface TrustedIdentity {
  name: string;
  roles: ('initiator' | 'approver' | 'operator')[];
  /** The key their signed tokens (JWS) verify with; an approver who decides only with passkeys may have none. */
  publicKey?: SignerJwk;
  thumbprint?: string;
  /** Passkeys (WebAuthn credentials) their decisions on the approvals page verify with. */
  passkeys?: TrustedPasskey[];
}

/** What the worker admitted a run with: the identities that may start, decide on and operate it. */
export interface RunTrust {
  identities: TrustedIdentity[];
}

// The same plain definitions `defineQuery`/`defineUpdate`/`defineSignal` make, built here so the
// CLI does not load the whole @temporalio/workflow package just to name its messages.
const defineQuery = <R, A extends unknown[] = []>(name: string) => ({ type: 'query', name }) as QueryDefinition<R, A>;
const defineUpdate = <R, A extends unknown[] = []>(name: string) =>
  ({ type: 'update', name }) as UpdateDefinition<R, A>;
const defineSignal = <A extends unknown[] = []>(name: string) => ({ type: 'signal', name }) as SignalDefinition<A>;

export const statusQuery = defineQuery<StatusView>('status');
export const auditTrailQuery = defineQuery<AuditEntry[]>('auditTrail');
/** The spec the run works with now (after any corrections sent with `retry`). */
export const specQuery = defineQuery<DeploymentSpec>('spec');
export const approveUpdate = defineUpdate<ApprovalRecord, [DecisionInput]>('approve');
export const rejectUpdate = defineUpdate<ApprovalRecord, [DecisionInput]>('reject');
export const retryUpdate = defineUpdate<StatusView, [RetryInput]>('retry');
export const abortUpdate = defineUpdate<StatusView, [AbortInput]>('abort');
/** For tools that can only signal; the same rules apply and refusals are audited. */
export const approveSignal = defineSignal<[DecisionInput]>('approveSignal');
export const rejectSignal = defineSignal<[DecisionInput]>('rejectSignal');
