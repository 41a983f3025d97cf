// Who may act on a run: the identities the worker admitted it with (its identity registry, not
// the spec), the proven initiator, and the signed commands already used. Everything a person
// sends is checked here against those keys, so a name typed on a command line proves nothing.
import { ApplicationFailure } from '@temporalio/workflow';
import { specDigest, verifyCommand, type CommandAction, type CommandCheck } from '../approvals/command.js';
import type { KnownSigner } from '../approvals/jws.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { durationMs } from '../spec/derived.js';
import { RUN_REFUSED, type RunTrust, type TrustedIdentity } from './messages.js';

export interface AuthoritySnapshot {
  trust: RunTrust;
  initiator: TrustedIdentity;
  commandNonces: string[];
}

const ROLE_NAMES = { initiator: 'an initiator', approver: 'an approver', operator: 'an operator' } as const;

/** Ends the run before anything is touched: nothing it asked for happens. */
export function refuseRun(reason: string): ApplicationFailure {
  return ApplicationFailure.create({ type: RUN_REFUSED, message: reason, nonRetryable: true });
}

export class RunAuthority {
  private trust: RunTrust = { identities: [] };
  /** Set once the start command verified. */
  initiator?: TrustedIdentity;
  private commandNonces: string[] = [];

  snapshot(): AuthoritySnapshot {
    return { trust: this.trust, initiator: this.initiator!, commandNonces: this.commandNonces };
  }

  restore(s: AuthoritySnapshot): void {
    this.trust = s.trust;
    this.initiator = s.initiator;
    this.commandNonces = s.commandNonces;
  }

  /** Who holds `role` and signs tokens (JWS) with a key of the registry. */
  signers(role: keyof typeof ROLE_NAMES): KnownSigner[] {
    return this.trust.identities
      .filter((i) => i.roles.includes(role) && i.publicKey !== undefined)
      .map((i) => ({ name: i.name, publicKey: i.publicKey!, thumbprint: i.thumbprint }));
  }

  /** The run's approvers with their passkeys (decisions from the approvals page). */
  passkeyHolders(): TrustedIdentity[] {
    return this.trust.identities.filter((i) => i.roles.includes('approver') && i.passkeys?.length);
  }

  /**
   * Verifies the start command against the registry's initiators; its age is measured at the
   * moment the server accepted the start, so a worker that was down does not make it stale.
   */
  admit(
    trust: RunTrust,
    spec: DeploymentSpec,
    token: unknown,
    workflowId: string,
    acceptedAtMs: number,
  ): TrustedIdentity {
    return this.admitSigned(trust, specDigest(spec), spec.approval.maxDecisionAge, token, workflowId, acceptedAtMs)
      .identity;
  }

  /** admit() for a command bound to `digest` (a day-two operation binds its operation and options too). */
  admitSigned(
    trust: RunTrust,
    digest: string,
    maxAge: string,
    token: unknown,
    workflowId: string,
    acceptedAtMs: number,
  ): { identity: TrustedIdentity; comment?: string } {
    this.trust = trust;
    const check = verifyCommand(token, {
      action: 'start',
      workflowId,
      digest,
      nowMs: acceptedAtMs,
      maxAgeMs: durationMs(maxAge),
      signers: this.signers('initiator'),
      role: ROLE_NAMES.initiator,
      usedNonces: new Set(),
    });
    if (!check.ok) throw refuseRun(check.reason);
    this.commandNonces.push(check.claims.nonce);
    this.initiator = this.trust.identities.find((i) => i.name === check.signer.name)!;
    return { identity: this.initiator, comment: check.claims.comment };
  }

  /** Checks a retry or abort; `nowMs` undefined in handlers, which apply what a validator accepted. */
  check(
    action: Exclude<CommandAction, 'start'>,
    token: unknown,
    ctx: { workflowId: string; firstRunId: string; digest?: string; nowMs?: number; maxAge: string },
  ): CommandCheck {
    return verifyCommand(token, {
      action,
      workflowId: ctx.workflowId,
      firstRunId: ctx.firstRunId,
      digest: ctx.digest,
      nowMs: ctx.nowMs,
      maxAgeMs: durationMs(ctx.maxAge),
      signers: this.signers('operator'),
      role: ROLE_NAMES.operator,
      usedNonces: new Set(this.commandNonces),
    });
  }

  /** Marks a command used: the same signed command is never accepted twice. */
  spend(nonce: string): void {
    this.commandNonces.push(nonce);
  }
}
