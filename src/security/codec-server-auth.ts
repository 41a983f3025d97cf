// Who may use the codec server. The CLI and scripts send `Authorization: Bearer <token>`; a
// browser cannot (the Temporal UI only forwards its own OIDC access token), so it signs in once
// on the codec server's page and then carries an HttpOnly session cookie, which the UI sends with
// "include cross-origin credentials". Each token may carry a label (`alice <token>`), so every
// decode is logged under the name of whoever asked; an unlabelled token is named by a short
// fingerprint. Sessions live in this server's memory, so signing out really ends one: a copied
// cookie stops working the moment its browser signs out (and when the server restarts).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DEFAULT_CODEC_SERVER_TOKEN_REF } from './codec-defaults.js';
import { resolveSecretRef, type SecretSource } from './secrets.js';
import { rememberSecretValue } from './known-secrets.js';

export { DEFAULT_CODEC_SERVER_TOKEN_REF };
export const SESSION_COOKIE = 'g2p_codec_session';
const DEFAULT_SESSION_TTL_SECONDS = 12 * 3600;
/** Enough for every operator's browsers; beyond it the oldest session ends first. */
const MAX_SESSIONS = 10_000;
const MIN_TOKEN_LENGTH = 16;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** One accepted credential: the token and, when the token file gives one, whose it is. */
export interface CodecToken {
  token: string;
  label?: string;
}

/** A token's short public name: enough to tell callers apart in a log, nothing to sign in with. */
export function tokenFingerprint(token: string): string {
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/**
 * The lines of a token secret: `<token>` or `<label> <token>`, `#` comments. Several lines while
 * a new token is rolled in, or one per user. Errors name the line, never its token.
 */
export function parseCodecServerTokens(text: string, source: string): CodecToken[] {
  const tokens: CodecToken[] = [];
  const labels = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const where = `${source} line ${index + 1}`;
    if (fields.length > 2) throw new Error(`${where}: expected "<token>" or "<label> <token>"`);
    const [label, token] = fields.length === 2 ? [fields[0]!, fields[1]!] : [undefined, fields[0]!];
    if (label !== undefined && !LABEL.test(label))
      throw new Error(`${where}: the label must be letters, digits, ".", "_", "@" or "-" (at most 64)`);
    if (label !== undefined && labels.has(label))
      throw new Error(`${where}: the label ${label} is used twice; give each user their own`);
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new Error(
        `${where}: every codec server token must be at least ${MIN_TOKEN_LENGTH} characters (generate one with: openssl rand -base64 32)`,
      );
    }
    if (label !== undefined) labels.add(label);
    tokens.push(label === undefined ? { token } : { label, token });
  });
  if (tokens.length === 0)
    throw new Error(`${source} holds no codec server token (generate one with: openssl rand -base64 32)`);
  return tokens;
}

/** The accepted tokens, from the secret reference in G2P_ONBOARD_CODEC_SERVER_TOKEN. */
export async function loadCodecServerTokens(ref: string, source: SecretSource): Promise<CodecToken[]> {
  const tokens = parseCodecServerTokens(await resolveSecretRef(ref, source), ref);
  for (const t of tokens) rememberSecretValue(t.token);
  return tokens;
}

/** For the local setup only (no reference configured): creates the default token file (owner-only) when it does not exist yet. */
export async function ensureLocalCodecServerToken(baseDir = process.cwd()): Promise<void> {
  const file = resolve(baseDir, DEFAULT_CODEC_SERVER_TOKEN_REF.slice('file:'.length));
  if (existsSync(file)) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' }).catch((err) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sessions are kept by the hash of their cookie: the server's memory holds nothing to sign in with. */
const sessionKey = (cookieValue: string) => createHash('sha256').update(cookieValue).digest('base64url');

export class CodecAccess {
  readonly sessionTtlSeconds: number;
  private readonly tokens: readonly CodecToken[];
  private readonly sessions = new Map<string, { caller: string; expiresAtMs: number }>();

  constructor(tokens: readonly (string | CodecToken)[], sessionTtlSeconds = DEFAULT_SESSION_TTL_SECONDS) {
    if (tokens.length === 0) throw new Error('the codec server needs at least one token');
    this.tokens = tokens.map((t) => (typeof t === 'string' ? { token: t } : t));
    this.sessionTtlSeconds = sessionTtlSeconds;
  }

  /** Who a token belongs to (its label, else its fingerprint), or undefined when it is not accepted. */
  callerOf(candidate: string): string | undefined {
    // Every token is compared, so the time taken does not tell which one nearly matched.
    const matches = this.tokens.map((t) => sameText(t.token, candidate));
    const match = this.tokens[matches.indexOf(true)];
    return match ? (match.label ?? tokenFingerprint(match.token)) : undefined;
  }

  tokenAllowed(candidate: string): boolean {
    return this.callerOf(candidate) !== undefined;
  }

  /** The token an `Authorization: Bearer <token>` header presents (the temporal CLI's --codec-auth sends the header as given). */
  static bearerToken(authorization: string | undefined): string | undefined {
    return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  }

  /** The caller a bearer header names, or undefined. */
  bearerCaller(authorization: string | undefined): string | undefined {
    const token = CodecAccess.bearerToken(authorization);
    return token === undefined ? undefined : this.callerOf(token);
  }

  bearerAllowed(authorization: string | undefined): boolean {
    return this.bearerCaller(authorization) !== undefined;
  }

  /** Starts a browser session for `caller`; the value goes into the session cookie. */
  newSession(caller: string, nowMs = Date.now()): string {
    this.dropExpired(nowMs);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const cookieValue = randomBytes(32).toString('base64url');
    this.sessions.set(sessionKey(cookieValue), { caller, expiresAtMs: nowMs + this.sessionTtlSeconds * 1000 });
    return cookieValue;
  }

  /** Whose session a cookie carries, while it is live; undefined for an unknown, ended or expired one. */
  sessionCaller(cookieValue: string | undefined, nowMs = Date.now()): string | undefined {
    if (!cookieValue || !/^[A-Za-z0-9_-]{43}$/.test(cookieValue)) return undefined;
    const key = sessionKey(cookieValue);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    if (session.expiresAtMs <= nowMs) {
      this.sessions.delete(key);
      return undefined;
    }
    return session.caller;
  }

  sessionAllowed(cookieValue: string | undefined, nowMs = Date.now()): boolean {
    return this.sessionCaller(cookieValue, nowMs) !== undefined;
  }

  /** Signs a session out: its cookie is refused from now on, wherever it was copied to. */
  endSession(cookieValue: string | undefined): string | undefined {
    if (!cookieValue) return undefined;
    const key = sessionKey(cookieValue);
    const caller = this.sessions.get(key)?.caller;
    this.sessions.delete(key);
    return caller;
  }

  private dropExpired(nowMs: number): void {
    for (const [key, session] of this.sessions) if (session.expiresAtMs <= nowMs) this.sessions.delete(key);
  }
}

/** The value of one cookie from a Cookie header. */
export function cookieFrom(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
