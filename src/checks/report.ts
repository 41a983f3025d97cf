// What a consistency check says, and how a set of them sums up. One shape for every caller: the
// checks workflow (`g2p-onboard check`), verifyIntegration, the plan and the drift watch.
// Values are public (ids, URLs, fingerprints): a check never reports a secret, only its fingerprint.

export type CheckStatus = 'in-sync' | 'drift' | 'expiring' | 'missing' | 'conflict' | 'cannot-check';

export interface CheckResult {
  /** The resource checked: `esignet.client`, `pms.authPartner`, `openg2p.provider`… */
  resource: string;
  /** What about it: `redirectUris`, `active`, `keyThumbprint`, `expiry`… */
  check: string;
  status: CheckStatus;
  /** What the system shows (public values, fingerprints). */
  live?: unknown;
  /** What the deployment needs. */
  wanted?: unknown;
  /** One line a person reads. */
  detail: string;
  /** Why it matters, or why it cannot be checked, and what to do. */
  why: string;
}

/** The drift watch's summary, also the `OnboardingHealth` search attribute. */
export type Health = 'ok' | 'drift' | 'expiring' | 'unreachable';

export interface ConsistencyReport {
  deploymentId: string;
  checkedAt: string;
  /** Days ahead an expiry counts as near (monitoring.expiryHorizon). */
  horizonDays: number;
  results: CheckResult[];
  health: Health;
}

/** Statuses that mean the systems no longer agree with the deployment (a run blocks on them). */
export const FAILING: readonly CheckStatus[] = ['drift', 'missing', 'conflict'];

export function healthOf(results: readonly CheckResult[]): Health {
  if (results.some((r) => FAILING.includes(r.status))) return 'drift';
  if (results.some((r) => r.status === 'expiring')) return 'expiring';
  // Nothing could be read at all: a system (or the worker's access to it) is down.
  if (results.length > 0 && results.every((r) => r.status === 'cannot-check')) return 'unreachable';
  return 'ok';
}

/** The first 16 hex digits of a SHA-256 fingerprint, as the product shows them everywhere. */
export function shortFingerprint(hex: string): string {
  return `sha256:${hex.slice(0, 16)}…`;
}

const SYMBOL: Record<CheckStatus, string> = {
  'in-sync': '✔',
  drift: '✖',
  missing: '✖',
  conflict: '✖',
  expiring: '⚠',
  'cannot-check': '?',
};

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function renderReport(report: ConsistencyReport): string {
  const lines = [
    `deployment ${report.deploymentId}: ${report.health} (checked ${report.checkedAt}; expiry horizon ${report.horizonDays} days)`,
  ];
  for (const r of report.results) {
    lines.push(`  ${SYMBOL[r.status]} ${`${r.resource} ${r.check}`.padEnd(44)} ${r.status.padEnd(12)} ${r.detail}`);
    if (r.status !== 'in-sync') {
      if (r.live !== undefined || r.wanted !== undefined)
        lines.push(`      live: ${show(r.live ?? '—')}\n      wanted: ${show(r.wanted ?? '—')}`);
      lines.push(`      why: ${r.why}`);
    }
  }
  return lines.join('\n');
}
