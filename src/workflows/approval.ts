// Who may decide a pending approval, and what has been decided: signed decisions verified
// against the approver keys of the worker's identity registry (the spec only names approvers),
// four eyes (never the initiator, by name or by key), one decision per approver, N of M
// approvals, any rejection ends it. State is plain data so it survives continue-as-new.
import { fromBase64Url, verifyDecision, verifyPasskeyDecision, type Verified } from '../approvals/decision.js';
import { passkeyFromToken, passkeyToken, type PasskeyHolder } from '../approvals/passkey.js';
import type { KnownSigner } from '../approvals/jws.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { durationMs } from '../spec/derived.js';
import type { ApprovalRecord, DecisionInput, PendingApproval, TrustedIdentity } from './messages.js';
import type { OnboardingRun } from './run-state.js';

/** What the book needs of its run: the spec, the audit trail and the approver search attribute. */
export type ApprovalHost = Pick<OnboardingRun, 'spec' | 'record' | 'recordApprover' | 'ledger'>;

export interface ApprovalSnapshot {
  open: boolean;
  mappingKey?: string;
  openedAt?: string;
  deadlineAt?: number;
  nextReminderAt?: number;
  escalated: boolean;
  decisions: ApprovalRecord[];
  usedNonces: string[];
  /** PMS's own view, once seen: the portal can approve or reject too. */
  pmsStatus?: 'approved' | 'rejected';
  /** Refused decisions beyond those audited one by one (a flood must not grow the carried state). */
  refusalsNotAudited?: number;
  refusalsAudited?: number;
  /** The highest signature counter accepted per passkey credential id (validators cannot keep state; handlers do). */
  passkeyCounters?: Record<string, number>;
}

/** Refused decisions audited one by one; later ones are only counted. */
export const MAX_AUDITED_REFUSALS = 20;

export interface ApprovalContext {
  workflowId: string;
  firstRunId: string;
  initiator: TrustedIdentity | undefined;
  /** The run's approvers with the keys the worker's registry gave them. */
  approvers: KnownSigner[];
  /** The run's approvers with their passkeys from the worker's registry. */
  passkeyHolders?: PasskeyHolder[];
}

export type ApprovalVerdict = 'approved' | 'rejected' | undefined;

export class ApprovalBook {
  private current: ApprovalSnapshot = { open: false, escalated: false, decisions: [], usedNonces: [] };

  /** The book's state, read-only: only its own methods change it. */
  get state(): Readonly<ApprovalSnapshot> {
    return this.current;
  }

  /** What a continued run carries over. */
  snapshot(): ApprovalSnapshot {
    return this.current;
  }

  /** The one escalation was sent. */
  markEscalated(): void {
    this.current.escalated = true;
  }

  /** A reminder was sent: the next one is an interval later. */
  advanceReminder(): void {
    this.current.nextReminderAt! += durationMs(this.spec.approval.reminderInterval!);
  }

  constructor(
    private readonly run: ApprovalHost,
    private readonly context: () => ApprovalContext,
  ) {
    run.ledger = this;
  }

  /** Every decision, once: people's signed ones and PMS's own. */
  get decisions(): readonly ApprovalRecord[] {
    return this.state.decisions;
  }

  private get spec(): DeploymentSpec {
    return this.run.spec;
  }

  restore(snapshot: ApprovalSnapshot): void {
    this.current = snapshot;
  }

  open(mappingKey: string): void {
    if (this.state.open) return;
    const now = Date.now();
    const a = this.spec.approval;
    this.current = {
      ...this.current,
      open: true,
      mappingKey,
      openedAt: new Date(now).toISOString(),
      deadlineAt: now + durationMs(a.deadline),
      nextReminderAt: a.reminderInterval ? now + durationMs(a.reminderInterval) : undefined,
      escalated: false,
    };
  }

  close(): void {
    this.current.open = false;
  }

  /** The people's verdict: N distinct approvals, or any rejection. */
  verdict(): ApprovalVerdict {
    const d = this.state.decisions.filter((r) => r.via !== 'pms');
    if (d.some((r) => r.decision === 'reject')) return 'rejected';
    if (d.filter((r) => r.decision === 'approve').length >= this.spec.approval.required) return 'approved';
    return undefined;
  }

  /** Why a signed decision is refused, or the verified claims; `checkAge` false where the age was checked on acceptance. */
  check(input: DecisionInput, checkAge = true): Verified {
    if (!this.state.open) return { ok: false, reason: 'no approval is pending for this run' };
    if (this.verdict()) return { ok: false, reason: `the approval is already decided (${this.verdict()})` };
    const ctx = this.context();
    const verifyContext = {
      workflowId: ctx.workflowId,
      firstRunId: ctx.firstRunId,
      nowMs: checkAge ? Date.now() : undefined,
      maxAgeMs: durationMs(this.spec.approval.maxDecisionAge),
      approvers: ctx.approvers,
      usedNonces: new Set(this.state.usedNonces),
      passkeyHolders: ctx.passkeyHolders,
      passkeyCounters: this.state.passkeyCounters,
    };
    // A JWS from the CLI, or a passkey assertion from the approvals page: the same rules follow.
    const verified =
      input?.passkey !== undefined && input.token === undefined
        ? verifyPasskeyDecision(input.passkey, verifyContext)
        : verifyDecision(input?.token, verifyContext);
    if (!verified.ok) return verified;
    const { approver } = verified.claims;
    const initiatorKeys = [ctx.initiator?.thumbprint, ...(ctx.initiator?.passkeys ?? []).map((p) => p.thumbprint)];
    const signerKey = verified.signer.thumbprint;
    if (approver === ctx.initiator?.name || (signerKey !== undefined && initiatorKeys.includes(signerKey))) {
      return {
        ok: false,
        reason: `${approver} started this run (or holds the key that did) and cannot also decide it (four eyes)`,
      };
    }
    if (this.state.decisions.some((r) => r.approver === approver))
      return { ok: false, reason: `${approver} has already decided on this run` };
    if (verified.claims.decision === 'reject' && !verified.claims.comment?.trim())
      return { ok: false, reason: 'a rejection needs a comment saying why' };
    return verified;
  }

  /** Records a decision `check` accepted; `input` is kept whole in the audit trail for re-verification. */
  apply(verified: Extract<Verified, { ok: true }>, input: DecisionInput, via: ApprovalRecord['via']): ApprovalRecord {
    const { claims, signer } = verified;
    const token = decisionToken(input)!;
    const record: ApprovalRecord = {
      approver: claims.approver,
      decision: claims.decision,
      comment: claims.comment,
      at: new Date(Date.now()).toISOString(),
      via,
      signedAt: new Date(claims.iat * 1000).toISOString(),
    };
    this.current.decisions.push(record);
    this.current.usedNonces.push(claims.nonce);
    if (verified.passkey)
      this.current.passkeyCounters = {
        ...this.current.passkeyCounters,
        [verified.passkey.credentialId]: verified.passkey.counter,
      };
    this.run.record({
      event: `approval.${claims.decision}`,
      step: 'awaitApproval',
      actor: claims.approver,
      detail: claims.comment,
      token,
      key: {
        thumbprint: signer.thumbprint ?? '',
        publicKey: signer.publicKey,
        ...(verified.passkey
          ? {
              passkey: {
                credentialId: verified.passkey.credentialId,
                rpId: verified.passkey.rpId,
                origins: verified.passkey.origins,
              },
            }
          : {}),
      },
    });
    this.run.recordApprover(claims.approver);
    return record;
  }

  refuse(reason: string, input: DecisionInput | undefined, via: ApprovalRecord['via']): void {
    const token = decisionToken(input);
    const audited = this.state.refusalsAudited ?? 0;
    if (audited >= MAX_AUDITED_REFUSALS) {
      this.current.refusalsNotAudited = (this.current.refusalsNotAudited ?? 0) + 1;
      return;
    }
    this.current.refusalsAudited = audited + 1;
    const claimed = typeof token === 'string' ? claimedApprover(token) : undefined;
    const last =
      audited + 1 === MAX_AUDITED_REFUSALS
        ? ` (${MAX_AUDITED_REFUSALS} refusals audited; further ones are only counted)`
        : '';
    this.run.record({
      event: 'approval.refused',
      step: 'awaitApproval',
      actor: claimed,
      detail: `${via}: ${reason.slice(0, 300)}${last}`,
    });
  }

  /**
   * PMS's own decision: `watched`, given in the PMS portal while this run waited; `found`, already
   * there when this run requested the mapping (an earlier run's decision, or the portal's) — not
   * credited to anyone this run can name.
   */
  recordPms(status: 'approved' | 'rejected', how: 'watched' | 'found' = 'watched'): void {
    this.current.pmsStatus = status;
    const said =
      how === 'watched'
        ? `${status} in the PMS portal while this run waited`
        : `already ${status} on PMS when this run requested it (an earlier decision)`;
    const record: ApprovalRecord = {
      approver: how === 'watched' ? 'pms-portal' : 'pms (earlier decision)',
      decision: status === 'approved' ? 'approve' : 'reject',
      comment: said,
      at: new Date(Date.now()).toISOString(),
      via: 'pms',
    };
    this.current.decisions.push(record);
    this.run.record({
      event: `approval.pms.${status}`,
      step: 'awaitApproval',
      detail: `mapping ${this.state.mappingKey} ${said}`,
    });
  }

  /** The pending approval as status shows it; undefined once decided or before it opens. */
  pending(): PendingApproval | undefined {
    if (!this.state.open) return undefined;
    const decided = new Set(this.state.decisions.map((d) => d.approver));
    const pending: PendingApproval = {
      since: this.state.openedAt!,
      deadline: new Date(this.state.deadlineAt!).toISOString(),
      mappingKey: this.state.mappingKey!,
      approvers: this.spec.approval.approvers.map((a) => a.name),
      awaiting: this.spec.approval.approvers
        .map((a) => a.name)
        .filter((n) => !decided.has(n) && n !== this.context().initiator?.name),
      required: this.spec.approval.required,
      decisions: [...this.state.decisions],
    };
    return pending;
  }
}

/** The decision as one string: the JWS, or the passkey assertion as a `passkey.…` token. */
export function decisionToken(input: DecisionInput | undefined): string | undefined {
  if (typeof input?.token === 'string') return input.token;
  return input?.passkey && typeof input.passkey === 'object' ? passkeyToken(input.passkey) : undefined;
}

/** The approver a token claims to be from, for auditing refusals (unverified). */
function claimedApprover(token: string): string | undefined {
  try {
    const passkey = passkeyFromToken(token);
    const payload = JSON.parse(
      passkey ? String(passkey.payload) : new TextDecoder().decode(fromBase64Url(token.split('.')[1] ?? '')),
    ) as {
      approver?: unknown;
    };
    return typeof payload.approver === 'string' ? `${payload.approver.slice(0, 64)} (claimed)` : undefined;
  } catch {
    return undefined;
  }
}
