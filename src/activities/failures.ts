// Turns client errors into Temporal failures: transient → retryable (honouring Retry-After),
// everything retrying cannot fix → non-retryable with a type and the remote error code, which
// the workflow shows as a `blocked` run. Messages are redacted on the way out.
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { ContractViolation, RemoteRejection, TransientRemoteError } from '../clients/errors.js';
import { EgressRefused } from '../clients/egress.js';
import { CredentialStoreRefused } from './credential-store.js';
import { SecretUnavailable, type SecretScope } from '../security/secrets.js';
import { redact, SecretMatcher } from '../security/redact.js';
import { knownSecretMatcher } from '../security/known-secrets.js';
import { MAPPING_STILL_PENDING } from '../workflows/messages.js';
import type { BlockingReason } from '../workflows/blocking.js';

export interface FailureDetails {
  system?: string;
  code?: string;
  hint?: string;
  /** The login check: one-time passwords this run's login checks may have sent so far. */
  otpsSpent?: number;
}

/** A failed prerequisite or a conflict the activity itself detected. */
export function blockingFailure(
  type: BlockingReason,
  message: string,
  details: FailureDetails = {},
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });
}

/**
 * The PMS mapping is still InProgress: an expected outcome, retried at the poll interval. Benign,
 * so the worker logs it at DEBUG and records no failure metric for it (thousands of parked runs
 * would otherwise fill the log with one warning per poll).
 */
export function mappingStillPending(mappingKey: string, pollInterval: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: MAPPING_STILL_PENDING,
    message: `policy mapping ${mappingKey} still awaits the Partner Admin on PMS; next check in ${pollInterval}`,
    nonRetryable: false,
    nextRetryDelay: pollInterval,
    category: ApplicationFailureCategory.BENIGN,
  });
}

/** Strings anywhere in failure details (a check's evidence may quote a remote answer). */
function scrubDetail(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubDetail(v, scrub));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDetail(v, scrub)]));
  return value;
}

/** Failures an activity built itself can still quote a remote message: scrubbed like any other. */
function scrubApplicationFailure(err: ApplicationFailure, scrub: (text: string) => string): ApplicationFailure {
  const message = scrub(err.message);
  const details = err.details?.map((d) => scrubDetail(d, scrub));
  if (message === err.message && JSON.stringify(details) === JSON.stringify(err.details)) return err;
  return new ApplicationFailure(
    message,
    err.type,
    err.nonRetryable,
    details,
    undefined,
    err.nextRetryDelay,
    err.category,
  );
}

export function toFailure(err: unknown, secrets: SecretScope): unknown {
  // The scope's values, and every other value this worker knows (a token another step obtained).
  const scope = new SecretMatcher(secrets.known());
  const scrub = (text: string) => redact(scope.replaceIn(text), knownSecretMatcher());
  if (err instanceof ApplicationFailure) return scrubApplicationFailure(err, scrub);
  if (err instanceof TransientRemoteError) {
    return ApplicationFailure.create({
      type: 'TransientRemoteError',
      message: scrub(err.message),
      nonRetryable: false,
      nextRetryDelay: err.retryAfterSeconds ? `${err.retryAfterSeconds}s` : undefined,
    });
  }
  if (err instanceof RemoteRejection) {
    return blockingFailure('RemoteRejection', scrub(err.message), { system: err.system, code: err.code });
  }
  if (err instanceof ContractViolation) {
    return blockingFailure('ContractViolation', scrub(err.message), { system: err.system });
  }
  if (err instanceof EgressRefused) {
    // The worker policy said no: nothing was sent, and no retry changes that; the run blocks.
    return blockingFailure('EgressRefused', scrub(err.message), { code: err.host, hint: err.hint });
  }
  if (err instanceof CredentialStoreRefused) {
    return blockingFailure('CredentialStoreRefused', err.message, { hint: err.hint });
  }
  if (err instanceof SecretUnavailable) {
    return blockingFailure('SecretUnavailable', err.message, { code: err.ref });
  }
  // Unknown errors are bugs or environment trouble: retry, but never leak a secret in the message.
  return ApplicationFailure.create({
    type: (err as Error)?.name ?? 'Error',
    message: scrub(String((err as Error)?.message ?? err)),
  });
}
