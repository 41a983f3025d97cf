// Signed commands: who started a run, who retried or aborted it. Temporal does not record who
// sent a message, and a name typed on a command line proves nothing, so `start`, `retry` and
// `abort` carry a compact JWS signed by the sender; the workflow verifies it against the keys
// the worker's identity registry holds for that role. Deterministic and synchronous (jws.ts).
import { sha256 } from '@noble/hashes/sha2.js';
import { staleness, toBase64Url, verifySigned, type KnownSigner } from './jws.js';

export const COMMAND_TYPE = 'g2p-onboard-command+jwt';

/** `drift-watch`: pause, resume, run now or remove a deployment's drift watch (wid: the schedule id). */
export type CommandAction = 'start' | 'retry' | 'abort' | 'drift-watch';

export interface CommandClaims {
  [claim: string]: unknown;
  action: CommandAction;
  /** Workflow id the command is for. */
  wid: string;
  /** First run id; absent for `start`, whose run id does not exist when it is signed. */
  rid?: string;
  /** Who sends it: a name in the worker's identity registry. */
  actor: string;
  comment?: string;
  /** specDigest() of the spec the command carries (start; retry with a corrected spec). */
  digest?: string;
  /** Seconds since the epoch. */
  iat: number;
  nonce: string;
}

/** JSON with object keys sorted and undefined members left out, as the payload converter does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What a signed command says about the spec it carries: SHA-256 of its canonical JSON, base64url. */
export function specDigest(spec: unknown): string {
  return toBase64Url(sha256(new TextEncoder().encode(canonicalJson(spec))));
}

export interface CommandContext {
  action: CommandAction;
  workflowId: string;
  /** Required for retry and abort; never checked for start. */
  firstRunId?: string;
  /** The digest the command must carry (undefined: it must carry none). */
  digest?: string;
  /** Workflow time; undefined skips the age check (handlers applying what a validator accepted). */
  nowMs?: number;
  maxAgeMs: number;
  signers: readonly KnownSigner[];
  /** The role the signers hold, for messages: `an initiator`, `an operator`. */
  role: string;
  usedNonces: ReadonlySet<string>;
}

export type CommandCheck = { ok: true; claims: CommandClaims; signer: KnownSigner } | { ok: false; reason: string };

/** Verifies a signed command; never throws. */
export function verifyCommand(token: unknown, ctx: CommandContext): CommandCheck {
  const checked = verifySigned<CommandClaims>(token, COMMAND_TYPE, 'actor', ctx.signers, ctx.role);
  const what = `the ${ctx.action} command is refused`;
  if (!checked.ok) return { ok: false, reason: `${what}: ${checked.reason}` };
  const { claims } = checked;
  const fail = (reason: string): CommandCheck => ({ ok: false, reason: `${what}: ${reason}` });
  if (claims.action !== ctx.action) return fail(`it was signed as "${String(claims.action)}"`);
  if (claims.wid !== ctx.workflowId || (ctx.action !== 'start' && claims.rid !== ctx.firstRunId)) {
    return fail(`it was signed for another run (${String(claims.wid)}${claims.rid ? `/${String(claims.rid)}` : ''})`);
  }
  if (claims.digest !== ctx.digest) {
    return fail(
      ctx.digest ? 'it was signed for another spec than the one it carries' : 'it names a spec but carries none',
    );
  }
  const stale = staleness(claims.iat, ctx.nowMs, ctx.maxAgeMs);
  if (stale) return fail(stale);
  if (typeof claims.nonce !== 'string' || claims.nonce.length < 16) return fail('it has no nonce');
  if (ctx.usedNonces.has(claims.nonce)) return fail('it was already used: replays are refused');
  if (claims.comment !== undefined && (typeof claims.comment !== 'string' || claims.comment.length > 2000))
    return fail('the comment must be text of at most 2,000 characters');
  return checked;
}
