// Who is signed in on the approvals page, and the WebAuthn ceremonies under way. Kept in memory:
// sessions are short (15 minutes by default), a restart signs everyone out, and nothing here is
// worth keeping — a session only lets its holder *see* runs and carry decisions to the workflow,
// which verifies each one against the approver's passkey itself.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'g2p_approvals_session';
/** Binds an enrollment or sign-in ceremony to the browser that began it. */
export const CEREMONY_COOKIE = 'g2p_approvals_ceremony';
const CEREMONY_MS = 5 * 60_000;
/** A bound on what an unauthenticated visitor can make the page hold. */
const MAX_CEREMONIES = 1000;

export interface Session {
  approver: string;
  credentialId: string;
  /** Sent back in X-CSRF-Token with every state-changing request. */
  csrf: string;
  expiresAt: number;
}

export interface Ceremony {
  kind: 'enroll' | 'signin';
  challenge: string;
  /** Enrollment: the registry name the passkey is enrolled for. */
  name?: string;
  expiresAt: number;
}

const newId = () => randomBytes(32).toString('base64url');

export class PageSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly ceremonies = new Map<string, Ceremony>();

  constructor(
    private readonly sessionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get sessionSeconds(): number {
    return Math.floor(this.sessionMs / 1000);
  }

  open(approver: string, credentialId: string): { id: string; session: Session } {
    this.sweep();
    const session = { approver, credentialId, csrf: newId(), expiresAt: this.now() + this.sessionMs };
    const id = newId();
    this.sessions.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (session && session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  begin(ceremony: Omit<Ceremony, 'expiresAt'>): string {
    this.sweep();
    if (this.ceremonies.size >= MAX_CEREMONIES) throw new Error('too many sign-ins under way; try again in a minute');
    const id = newId();
    this.ceremonies.set(id, { ...ceremony, expiresAt: this.now() + CEREMONY_MS });
    return id;
  }

  /** The ceremony, once: a challenge is never answered twice. */
  take(id: string | undefined, kind: Ceremony['kind']): Ceremony | undefined {
    if (!id) return undefined;
    const ceremony = this.ceremonies.get(id);
    this.ceremonies.delete(id);
    return ceremony && ceremony.kind === kind && ceremony.expiresAt > this.now() ? ceremony : undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    for (const [id, c] of this.ceremonies) if (c.expiresAt <= now) this.ceremonies.delete(id);
  }
}

/** Constant-time comparison of a CSRF token. */
export function sameToken(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
