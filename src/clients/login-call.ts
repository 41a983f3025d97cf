// How a failed call of the login check is named: method, URL with its one-time values masked,
// HTTP status and the remote error code or the start of the body.
import { ContractViolation, RemoteRejection, TransientRemoteError } from './errors.js';

/** Query parameters that carry one-time or secret values. */
const SECRET_PARAMS = ['code', 'access_token', 'id_token', 'client_assertion', 'code_verifier', 'otp'];

export function maskedUrl(url: string): string {
  const u = new URL(url);
  for (const name of SECRET_PARAMS) if (u.searchParams.has(name)) u.searchParams.set(name, '***');
  // OpenG2P's state is a JSON blob (db, provider, redirect): long, and nothing a reader needs.
  if (u.searchParams.has('state')) u.searchParams.set('state', '…');
  return u.toString().replace(/%E2%80%A6/g, '…');
}

/** The first characters of a body, on one line. */
export function bodyExcerpt(text: string, max = 120): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** `esignet send_otp_failed: POST /x: detail` → `detail` (the client's own endpoint prefix dropped). */
function detailOf(err: Error, endpoint: string): string {
  const afterSystem = err.message.replace(/^\S+( \S+)?: /, '');
  return afterSystem.startsWith(`${endpoint}: `) ? afterSystem.slice(endpoint.length + 2) : afterSystem;
}

/**
 * Rethrows a client error of one login step with the full call named, keeping its class (so its
 * classification as passing or final trouble holds).
 */
export function nameTheCall(err: unknown, method: string, url: string, endpoint: string): unknown {
  const call = `${method} ${maskedUrl(url)}`;
  if (err instanceof RemoteRejection) {
    const status = err.httpStatus !== undefined ? `HTTP ${err.httpStatus}` : 'no HTTP answer';
    return new RemoteRejection(
      err.system,
      err.code,
      `${call} answered ${status}, error ${err.code}: ${detailOf(err, endpoint)}`,
      err.httpStatus,
    );
  }
  if (err instanceof TransientRemoteError) {
    const status = err.httpStatus !== undefined ? `answered HTTP ${err.httpStatus}` : 'got no answer';
    return new TransientRemoteError(
      err.system,
      `${call} ${status}: ${detailOf(err, endpoint)}`,
      err.httpStatus,
      err.retryAfterSeconds,
    );
  }
  if (err instanceof ContractViolation) {
    return new ContractViolation(err.system, call, err.message.replace(/^.*?unexpected response: /, ''));
  }
  return err;
}
