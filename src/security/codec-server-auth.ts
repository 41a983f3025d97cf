// Who may use the codec server. The CLI and scripts send `Authorization: Bearer <token>`; a
// browser cannot (the Temporal UI only forwards its own OIDC access token), so it signs in once
// on the codec server's page and then carries an HttpOnly session cookie, which the UI sends with
// "include cross-origin credentials". The cookie is an HMAC of its expiry under the token: no
// server-side state, and changing the token ends every session.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { resolveSecretRef } from './secrets.js';
import { rememberSecretValue } from './known-secrets.js';

export const DEFAULT_CODEC_SERVER_TOKEN_REF = 'file:.data/codec-server-token';
export const SESSION_COOKIE = 'g2p_codec_session';
const DEFAULT_SESSION_TTL_SECONDS = 12 * 3600;

export function codecServerTokenRef(env: NodeJS.ProcessEnv = process.env): string {
  return env.G2P_ONBOARD_CODEC_SERVER_TOKEN ?? DEFAULT_CODEC_SERVER_TOKEN_REF;
}

/** The accepted tokens: one per line of the secret (several while a new one is rolled out). */
export async function loadCodecServerTokens(env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): Promise<string[]> {
  const text = await resolveSecretRef(codecServerTokenRef(env), { env, baseDir });
  const tokens = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const weak = tokens.find((t) => t.length < 16);
  if (weak !== undefined || tokens.length === 0) {
    throw new Error(`${codecServerTokenRef(env)}: every codec server token must be at least 16 characters (generate one with: openssl rand -base64 32)`);
  }
  for (const t of tokens) rememberSecretValue(t);
  return tokens;
}

/** For the local setup only: creates the default token file (owner-only) when it does not exist yet. */
export async function ensureLocalCodecServerToken(baseDir = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.G2P_ONBOARD_CODEC_SERVER_TOKEN) return;
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

function sessionMac(token: string, expiresAt: number): string {
  return createHmac('sha256', token).update(`g2p-onboard codec session ${expiresAt}`).digest('base64url');
}

export class CodecAccess {
  readonly sessionTtlSeconds: number;

  constructor(
    private readonly tokens: readonly string[],
    sessionTtlSeconds = DEFAULT_SESSION_TTL_SECONDS,
  ) {
    if (tokens.length === 0) throw new Error('the codec server needs at least one token');
    this.sessionTtlSeconds = sessionTtlSeconds;
  }

  tokenAllowed(candidate: string): boolean {
    // Every token is compared, so the time taken does not tell which one nearly matched.
    return this.tokens.map((t) => sameText(t, candidate)).includes(true);
  }

  /** `Authorization: Bearer <token>` (the temporal CLI's --codec-auth sends the header as given). */
  bearerAllowed(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return match !== null && this.tokenAllowed(match[1]!);
  }

  newSession(nowMs = Date.now()): string {
    const expiresAt = Math.floor(nowMs / 1000) + this.sessionTtlSeconds;
    return `${expiresAt}.${sessionMac(this.tokens[0]!, expiresAt)}`;
  }

  sessionAllowed(cookieValue: string | undefined, nowMs = Date.now()): boolean {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(cookieValue ?? '');
    if (!match) return false;
    const expiresAt = Number(match[1]);
    if (expiresAt * 1000 <= nowMs) return false;
    return this.tokens.map((t) => sameText(sessionMac(t, expiresAt), match[2]!)).includes(true);
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
