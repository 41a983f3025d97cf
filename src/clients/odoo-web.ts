// Odoo's browser-facing OAuth callback, driven the way a browser returning from e-Signet does.
import { HttpClient, firstHeader, type HttpOptions } from './http.js';

export interface SigninOutcome {
  ok: boolean;
  /** Where Odoo sent the browser: `/web…` on success, `/web/login?oauth_error=N` on failure. */
  location: string;
}

export async function completeOAuthSignin(
  odooUrl: string,
  callbackUrl: string,
  query: { code: string; state: string },
  opts?: HttpOptions,
): Promise<SigninOutcome> {
  const http = new HttpClient('odoo', odooUrl, opts);
  const path = new URL(callbackUrl).pathname;
  // Odoo exchanges the code with e-Signet inside this call (token, JWKS, userinfo): give it the write timeout.
  const res = await http.send(path, { method: 'GET', query, headers: { accept: 'text/html' }, write: true });
  http.failOnTransientStatus(res, 'GET /auth_oauth/signin');
  const location = firstHeader(res.headers.location) ?? '';
  const ok =
    res.status >= 300 && res.status < 400 && !location.includes('oauth_error') && !location.includes('/web/login');
  return { ok, location };
}
