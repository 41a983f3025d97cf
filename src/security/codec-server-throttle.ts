// Failed sign-ins per client address, so a token cannot be guessed at network speed: after
// `limit` wrong tokens within `windowMs`, that address is answered HTTP 429 (with Retry-After)
// until the oldest failure leaves the window, whatever token it sends meanwhile.

/** Addresses remembered at once; beyond it the least recently failing is forgotten first. */
const MAX_ADDRESSES = 10_000;

export interface ThrottleOptions {
  limit?: number;
  windowMs?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

export class SignInThrottle {
  readonly limit: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly failures = new Map<string, number[]>();

  constructor(opts: ThrottleOptions = {}) {
    this.limit = opts.limit ?? 5;
    this.windowMs = opts.windowMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  private recent(address: string, nowMs: number): number[] {
    const kept = (this.failures.get(address) ?? []).filter((at) => at > nowMs - this.windowMs);
    if (kept.length) this.failures.set(address, kept);
    else this.failures.delete(address);
    return kept;
  }

  /** Seconds until `address` may try again, or undefined when it may try now. */
  retryAfterSeconds(address: string): number | undefined {
    const nowMs = this.now();
    const recent = this.recent(address, nowMs);
    if (recent.length < this.limit) return undefined;
    return Math.max(1, Math.ceil((recent[recent.length - this.limit]! + this.windowMs - nowMs) / 1000));
  }

  recordFailure(address: string): void {
    const nowMs = this.now();
    const recent = this.recent(address, nowMs);
    this.failures.delete(address);
    this.failures.set(address, [...recent, nowMs].slice(-this.limit));
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }
}
