// What every check family is given: the spec, the worker's view of what the run registered
// (credential store), a secret scope and HTTP options within the worker policy, and the horizon.
// `attempt` turns any failure of one check into `cannot-check` with a redacted reason, so one
// system being down never hides what the others say.
import { EgressRefused } from '../clients/egress.js';
import { ContractViolation, RemoteRejection, TransientRemoteError } from '../clients/errors.js';
import type { Discovery } from '../clients/esignet.js';
import type { HttpOptions } from '../clients/http.js';
import type { ActivityDeps } from '../activities/context.js';
import type { StoredCredentials } from '../activities/credential-store.js';
import type { EsignetEndpoints } from '../activities/types.js';
import { knownSecretMatcher } from '../security/known-secrets.js';
import { redact, SecretMatcher } from '../security/redact.js';
import type { SecretScope } from '../security/secrets.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { CheckResult } from './report.js';

export interface CheckContext {
  spec: DeploymentSpec;
  secrets: SecretScope;
  deps: ActivityDeps & { http: HttpOptions };
  /** What the worker stored for this deployment (client key, API key, license key, client id). */
  stored: StoredCredentials;
  now: Date;
  horizonMs: number;
  /** Filled by the e-Signet family: discovery's endpoints, which OpenG2P must hold. */
  endpoints?: EsignetEndpoints;
  /** Filled by the e-Signet family: the whole discovery document, which tells releases apart. */
  discovery?: Discovery;
}

export const DAY_MS = 24 * 3600 * 1000;

export function scrub(ctx: CheckContext, text: string): string {
  return redact(new SecretMatcher(ctx.secrets.known()).replaceIn(text), knownSecretMatcher());
}

/** Why a check could not be made, in words that name what to fix. */
function unreadable(err: unknown): string {
  if (err instanceof EgressRefused) return `${err.message} (${err.hint})`;
  if (err instanceof TransientRemoteError) return `the system did not answer usefully: ${err.message}`;
  if (err instanceof RemoteRejection || err instanceof ContractViolation) return err.message;
  return (err as Error)?.message ?? String(err);
}

/** Runs one check body; a failure becomes one `cannot-check` result for it. */
export async function attempt(
  ctx: CheckContext,
  resource: string,
  check: string,
  body: () => Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  try {
    return await body();
  } catch (err) {
    return [
      {
        resource,
        check,
        status: 'cannot-check',
        detail: scrub(ctx, unreadable(err)),
        why: 'the answer needed was not obtained; fix the cause named, or check again later',
      },
    ];
  }
}

/** `expiring` within the horizon, `drift` once past, else `in-sync`. */
export function expiryStatus(ctx: CheckContext, until: Date): 'in-sync' | 'expiring' | 'drift' {
  if (until.getTime() <= ctx.now.getTime()) return 'drift';
  if (until.getTime() - ctx.now.getTime() < ctx.horizonMs) return 'expiring';
  return 'in-sync';
}

export function daysLeft(ctx: CheckContext, until: Date): number {
  return Math.floor((until.getTime() - ctx.now.getTime()) / DAY_MS);
}

/** MOSIP writes LocalDateTime without a zone; its services run in UTC. */
export function mosipDate(localDateTime: string): Date {
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(localDateTime) ? localDateTime : `${localDateTime}Z`);
}
