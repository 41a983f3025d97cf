// Turns client errors into Temporal failures: transient → retryable (honouring Retry-After),
// everything retrying cannot fix → non-retryable with a type and the remote error code, which
// the workflow shows as a `blocked` run. Messages are redacted on the way out.
import { ApplicationFailure } from '@temporalio/activity';
import { ContractViolation, RemoteRejection, TransientRemoteError } from '../clients/errors.js';
import { SecretUnavailable, type SecretScope } from '../security/secrets.js';
import { redact } from '../security/redact.js';

export interface FailureDetails {
  system?: string;
  code?: string;
  hint?: string;
}

/** A failed prerequisite or a conflict the activity itself detected. */
export function blockingFailure(type: string, message: string, details: FailureDetails = {}): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });
}

export function toFailure(err: unknown, secrets: SecretScope): unknown {
  const scrub = (text: string) => redact(text, secrets.known());
  if (err instanceof ApplicationFailure) return err;
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
  if (err instanceof SecretUnavailable) {
    return blockingFailure('SecretUnavailable', err.message, { code: err.ref });
  }
  // Unknown errors are bugs or environment trouble: retry, but never leak a secret in the message.
  return ApplicationFailure.create({ type: (err as Error)?.name ?? 'Error', message: scrub(String((err as Error)?.message ?? err)) });
}
