// A Partner Admin's decision, signed: a compact JWS whose payload names the run, the decision,
// the approver, a comment, the time and a nonce. This module is deterministic and synchronous
// (pure-JS signature checks), so the workflow's update validator can verify a decision before
// anything reaches history.
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';

export type ApproverJwk =
  | { kty: 'OKP'; crv: 'Ed25519'; x: string }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string };

export interface DecisionClaims {
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

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url → bytes (no Buffer/atob: this runs inside the workflow sandbox too). */
export function fromBase64Url(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(clean)) throw new Error('not base64url');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let i = 0;
  for (const ch of clean) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[i++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, i);
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

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
  approvers: { name: string; publicKey: ApproverJwk }[];
  usedNonces: ReadonlySet<string>;
}

export type Verified = { ok: true; claims: DecisionClaims } | { ok: false; reason: string };

const CLOCK_SKEW_MS = 60_000;

/** Parses and checks a decision token; never throws. */
export function verifyDecision(token: string, ctx: VerifyContext): Verified {
  const fail = (reason: string): Verified => ({ ok: false, reason });
  if (typeof token !== 'string' || token.length > 8192) return fail('a decision must be a signed token (compact JWS)');
  const parts = token.split('.');
  if (parts.length !== 3) return fail('a decision must be a signed token (compact JWS): unsigned decisions are refused');
  let header: { alg?: string; typ?: string };
  let claims: DecisionClaims;
  try {
    header = JSON.parse(utf8(fromBase64Url(parts[0]!)));
    claims = JSON.parse(utf8(fromBase64Url(parts[1]!)));
  } catch {
    return fail('the decision token is malformed');
  }
  if (header.typ !== DECISION_TYPE) return fail(`the decision token is not a g2p-onboard decision (typ ${String(header.typ)})`);
  if (typeof claims.approver !== 'string' || !claims.approver) return fail('the decision names no approver');
  const approver = ctx.approvers.find((a) => a.name === claims.approver);
  if (!approver) {
    return fail(`${claims.approver} is not an approver of this deployment (spec approval.approvers: ${ctx.approvers.map((a) => a.name).join(', ')})`);
  }
  const signingInput = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(parts[2]!);
  } catch {
    return fail('the decision signature is malformed');
  }
  if (!verifySignature(header.alg, approver.publicKey, signingInput, signature)) {
    return fail(`the signature does not verify with ${claims.approver}'s public key from the spec`);
  }
  if (claims.wid !== ctx.workflowId || claims.rid !== ctx.firstRunId) {
    return fail(`the decision was signed for another run (${claims.wid}/${claims.rid})`);
  }
  if (claims.decision !== 'approve' && claims.decision !== 'reject') return fail('the decision must be approve or reject');
  if (typeof claims.iat !== 'number') return fail('the decision has no signing time');
  if (ctx.nowMs !== undefined) {
    const ageMs = ctx.nowMs - claims.iat * 1000;
    if (ageMs > ctx.maxAgeMs) return fail(`the decision was signed ${Math.round(ageMs / 1000)} s ago: stale decisions are refused, sign a fresh one`);
    if (ageMs < -CLOCK_SKEW_MS) return fail('the decision is signed in the future: check the approver\'s clock');
  }
  if (typeof claims.nonce !== 'string' || claims.nonce.length < 16) return fail('the decision has no nonce');
  if (ctx.usedNonces.has(claims.nonce)) return fail('this signed decision was already used: replays are refused');
  return { ok: true, claims };
}

function verifySignature(alg: string | undefined, key: ApproverJwk, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.kty === 'OKP' && (alg === 'EdDSA' || alg === 'Ed25519')) {
      return ed25519.verify(signature, message, fromBase64Url(key.x));
    }
    if (key.kty === 'EC' && alg === 'ES256') {
      const x = fromBase64Url(key.x);
      const y = fromBase64Url(key.y);
      const point = new Uint8Array(65);
      point[0] = 0x04;
      point.set(x, 1);
      point.set(y, 33);
      return p256.verify(signature, message, point, { lowS: false });
    }
  } catch {
    return false;
  }
  return false;
}

/** One line for the audit trail; the token itself is kept whole beside it for re-verification. */
export function decisionSummary(claims: DecisionClaims): string {
  return `${claims.decision} by ${claims.approver} signed ${new Date(claims.iat * 1000).toISOString()}`;
}
