// The end-to-end login check spends a real person's one-time passwords: at most one per activity
// attempt, at most `verification.maxOtps` per run. The count is an upper bound kept by Temporal
// itself (the attempt number, plus what earlier executions of the step reported to the workflow),
// so a worker that dies mid-login cannot make it forget an OTP it sent.
import { ApplicationFailure } from '@temporalio/common';
import { EgressRefused } from '../clients/egress.js';
import { RemoteRejection, TransientRemoteError } from '../clients/errors.js';
import { CallbackRefused } from '../clients/odoo-web.js';
import { currentActivityContext } from './context.js';
import { blockingFailure } from './failures.js';

/** The failure type of a login attempt Temporal tries again (within the budget). */
export const LOGIN_REFUSED = 'LoginRefused';
export const DEFAULT_MAX_OTPS = 2;

/** Details every login failure carries: how many OTPs this run's login checks may have sent so far. */
export interface LoginFailureDetails {
  otpsSpent: number;
}

/**
 * Passing trouble (network, 5xx) and OpenG2P's own refusal (`oauth_error`, which may hide
 * e-Signet's passing trouble) are worth one more OTP; an answer that will be the same next time
 * (invalid_client, invalid_redirect_uri, a 4xx from the callback, a wrong OTP) is not.
 */
function worthAnotherTry(err: unknown): boolean {
  return err instanceof TransientRemoteError || err instanceof CallbackRefused;
}

/**
 * Runs `login` (which sends at most one OTP) if the run's budget allows; returns the check's
 * evidence, or throws: retryable while OTPs remain, else a blocking failure naming what failed.
 */
export async function loginWithinBudget(
  verification: { maxOtps?: number },
  otpsSpentBefore: number,
  login: () => Promise<void>,
): Promise<string> {
  const maxOtps = verification.maxOtps ?? DEFAULT_MAX_OTPS;
  const attempt = currentActivityContext()?.info.attempt ?? 1;
  // Every earlier attempt of this execution may have sent one.
  const mayHaveSpent = otpsSpentBefore + attempt - 1;
  if (mayHaveSpent >= maxOtps) {
    const where = [
      otpsSpentBefore ? `${otpsSpentBefore} by the run's earlier login checks, which blocked` : '',
      attempt > 1
        ? `${attempt - 1} by earlier attempts of this one, the last ending without an answer (worker restart or timeout)`
        : '',
    ].filter(Boolean);
    throw blockingFailure(
      'LoginBudgetSpent',
      `login.endToEnd: not tried: this run's login checks may already have sent ${mayHaveSpent} one-time password(s) ` +
        `(${where.join('; ')}), and verification.maxOtps is ${maxOtps}`,
      { code: 'verification.maxOtps', otpsSpent: mayHaveSpent },
    );
  }
  try {
    await login();
    return `test identity logged in to OpenG2P through e-Signet (private-key-JWT accepted); one-time password ${mayHaveSpent + 1} of ${maxOtps}`;
  } catch (err) {
    // What the worker policy refused blocks the run as such, naming the setting; no retry changes it.
    if (err instanceof EgressRefused) throw err;
    const spent = mayHaveSpent + 1;
    const cause = (err as Error).message;
    const code = err instanceof RemoteRejection ? err.code : undefined;
    const system = err instanceof RemoteRejection || err instanceof TransientRemoteError ? err.system : undefined;
    const used = `one-time password ${spent} of verification.maxOtps ${maxOtps}`;
    if (!worthAnotherTry(err)) {
      throw blockingFailure(
        'VerificationFailed',
        `login.endToEnd: ${cause} (${used}; not tried again: the answer would be the same)`,
        {
          system,
          code,
          hint: 'fix what the failing call names (spec, e-Signet client or OpenG2P provider), then `g2p-onboard retry`',
          otpsSpent: spent,
        },
      );
    }
    if (spent >= maxOtps) {
      throw blockingFailure('LoginBudgetSpent', `login.endToEnd: ${cause} (${used}: none left for this run)`, {
        system,
        code,
        otpsSpent: spent,
      });
    }
    throw ApplicationFailure.create({
      type: LOGIN_REFUSED,
      message: `login.endToEnd: ${cause} (${used}; tried again)`,
      nonRetryable: false,
      details: [{ otpsSpent: spent } satisfies LoginFailureDetails],
    });
  }
}
