// A Partner Admin's decision, signed: a compact JWS whose payload names the run, the decision,
// the approver, a comment, the time and a nonce. Deterministic and synchronous (see jws.ts), so
// the workflow's update validator verifies a decision before anything reaches history.
import { staleness, verifySigned, type KnownSigner, type SignerJwk } from './jws.js';
import { counterRefusal, verifyPasskey, type PasskeyAssertion, type PasskeyHolder } from './passkey.js';

export { fromBase64Url } from './jws.js';
export type ApproverJwk = SignerJwk;

export interface DecisionClaims {
  [claim: string]: unknown;
  /** Workflow id of the run decided on. */
  wid: string;
  /** First run id of the workflow: stays the same across continue-as-new, differs for a re-run. */
  rid: string;
  decision: 'approve' | 'reject';
  approver: string;
  comment?: string;
  /** Seconds since the epoch when it was signed. */
  iat: number;
  /** Single use: a decision is accepted once. */
  nonce: string;
}

export const DECISION_TYPE = 'g2p-onboard-decision+jwt';

export interface VerifyContext {
  workflowId: string;
  firstRunId: string;
  /**
   * Workflow time, ms since the epoch; undefined skips the age checks (an update handler applying
   * a decision its validator accepted must not depend on the clock, since it runs again on replay).
   */
  nowMs?: number;
  /** Oldest accepted signature age. */
  maxAgeMs: number;
  /** The run's approvers, with the keys the worker's identity registry gave them. */
  approvers: readonly KnownSigner[];
  usedNonces: ReadonlySet<string>;
  /** The run's approvers with the passkeys the registry holds for them (passkey decisions). */
  passkeyHolders?: readonly PasskeyHolder[];
  /** The highest signature counter this run has accepted per passkey credential id. */
  passkeyCounters?: Readonly<Record<string, number>>;
}

export type Verified =
  | {
      ok: true;
      claims: DecisionClaims;
      signer: KnownSigner;
      /** For a passkey decision: the credential, where it may be used, and the counter it reported. */
      passkey?: { credentialId: string; rpId: string; origins: string[]; counter: number };
    }
  | { ok: false; reason: string };

/** Parses and checks a decision token; never throws. */
export function verifyDecision(token: unknown, ctx: VerifyContext): Verified {
  const checked = verifySigned<DecisionClaims>(token, DECISION_TYPE, 'approver', ctx.approvers, 'an approver');
  if (!checked.ok) return { ok: false, reason: checked.reason.replace(/^it must/, 'a decision must') };
  return checkClaims(checked.claims, ctx) ?? checked;
}

/** Parses and checks a decision signed with a passkey (passkey.ts); never throws. */
export function verifyPasskeyDecision(assertion: PasskeyAssertion | undefined, ctx: VerifyContext): Verified {
  const checked = verifyPasskey<DecisionClaims>(assertion, 'approver', ctx.passkeyHolders ?? []);
  if (!checked.ok) return checked;
  const { claims, signer, passkey, counter } = checked;
  const refused = checkClaims(claims, ctx);
  if (refused) return refused;
  const counterRefused = counterRefusal(counter, ctx.passkeyCounters?.[passkey.credentialId] ?? 0);
  if (counterRefused) return { ok: false, reason: counterRefused };
  return { ok: true, claims, signer, passkey: { ...passkey, counter } };
}

/** What every decision's claims must say, however it was signed: why not, or undefined. */
function checkClaims(claims: DecisionClaims, ctx: VerifyContext): Verified | undefined {
  const fail = (reason: string): Verified => ({ ok: false, reason });
  if (claims.wid !== ctx.workflowId || claims.rid !== ctx.firstRunId)
    return fail(`the decision was signed for another run (${String(claims.wid)}/${String(claims.rid)})`);
  if (claims.decision !== 'approve' && claims.decision !== 'reject')
    return fail('the decision must be approve or reject');
  const stale = staleness(claims.iat, ctx.nowMs, ctx.maxAgeMs);
  if (stale) return fail(`the decision is refused: ${stale}`);
  if (typeof claims.nonce !== 'string' || claims.nonce.length < 16) return fail('the decision has no nonce');
  if (ctx.usedNonces.has(claims.nonce)) return fail('this signed decision was already used: replays are refused');
  if (claims.comment !== undefined && (typeof claims.comment !== 'string' || claims.comment.length > 2000))
    return fail('the comment must be text of at most 2,000 characters');
  return undefined;
}

/** One line for the audit trail; the token itself is kept whole beside it for re-verification. */
export function decisionSummary(claims: DecisionClaims): string {
  return `${claims.decision} by ${claims.approver} signed ${new Date(claims.iat * 1000).toISOString()}`;
}
