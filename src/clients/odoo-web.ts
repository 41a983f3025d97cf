// Odoo's browser-facing OAuth callback, driven the way a browser returning from e-Signet does.
import { RemoteRejection, TransientRemoteError } from './errors.js';
import { HttpClient, firstHeader, type HttpOptions, type HttpResponse } from './http.js';
import { bodyExcerpt, maskedUrl } from './login-call.js';

export interface SigninOutcome {
  /** Where Odoo sent the browser after a successful sign-in (`/web…` or `/` for portal users). */
  location: string;
}

/**
 * What Odoo's auth_oauth controller means by each `oauth_error` (controllers/main.py `signin`):
 * its log says more, the browser only gets the number.
 */
export const OAUTH_ERRORS: Record<string, string> = {
  '1':
    'an AttributeError inside the sign-in: auth_signup missing, or an OIDC module calling what another renamed ' +
    '(g2p_auth_id_oidc 15.0.1.1.0 with auth_oidc 15.0.1.1.0)',
  '2':
    'an error in the token exchange or its checks: e-Signet refused the code or the client assertion, a token OpenG2P ' +
    'could not verify (its python-jose verifies RS256, not PS256), or a userinfo answer it could not read; ' +
    "OpenG2P's server log names it",
  '3': 'access denied: no user for this identity and sign-up not allowed, or the user mapping found no login',
};

/**
 * OpenG2P's callback sent the browser back to its login page with `oauth_error`: the cause is in
 * OpenG2P's log, and may be e-Signet's passing trouble behind it, so a login may be tried again
 * (within the OTP budget).
 */
export class CallbackRefused extends RemoteRejection {
  override name = 'CallbackRefused';
  constructor(
    readonly oauthError: string,
    message: string,
    httpStatus: number,
  ) {
    super('odoo', `oauth_error=${oauthError}`, message, httpStatus);
  }
}

function refusal(call: string, res: HttpResponse, location: string): Error {
  const status = `HTTP ${res.status}`;
  const oauthError = /[?&]oauth_error=(\d+)/.exec(location)?.[1];
  if (oauthError !== undefined) {
    const meaning = OAUTH_ERRORS[oauthError] ?? "an error OpenG2P's log names";
    return new CallbackRefused(
      oauthError,
      `${call} answered ${status} → ${location}: OpenG2P refused the login (oauth_error=${oauthError}: ${meaning})`,
      res.status,
    );
  }
  const where = location ? ` → ${location}` : '';
  return new RemoteRejection(
    'odoo',
    `HTTP_${res.status}`,
    `${call} answered ${status}${where}${res.text.trim() ? `, body "${bodyExcerpt(res.text)}"` : ''}: OpenG2P did not sign the user in`,
    res.status,
  );
}

/** Returns where a signed-in browser goes; throws naming the call and its answer otherwise. */
export async function completeOAuthSignin(
  odooUrl: string,
  callbackUrl: string,
  query: { code: string; state: string },
  opts?: HttpOptions,
): Promise<SigninOutcome> {
  const http = new HttpClient('odoo', odooUrl, opts);
  const path = new URL(callbackUrl).pathname;
  const call = `GET ${maskedUrl(http.url(path, query))}`;
  // Odoo exchanges the code with e-Signet inside this call (token, JWKS, userinfo): give it the write timeout.
  const res = await http.send(path, { method: 'GET', query, headers: { accept: 'text/html' }, write: true });
  if (res.status >= 500 || res.status === 429 || res.status === 408)
    throw new TransientRemoteError(
      'odoo',
      `${call} answered HTTP ${res.status}${res.text.trim() ? `, body "${bodyExcerpt(res.text)}"` : ''}`,
      res.status,
    );
  const location = firstHeader(res.headers.location) ?? '';
  const ok =
    res.status >= 300 && res.status < 400 && !location.includes('oauth_error') && !location.includes('/web/login');
  if (!ok) throw refusal(call, res, location);
  return { location };
}
