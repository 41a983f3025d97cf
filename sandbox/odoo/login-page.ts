// `GET /web/login`: the login form with one button per enabled OAuth provider, each
// linking to the provider's authorize URL exactly as the installed OIDC module builds it.
import { createHash, randomBytes } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../router.js';
import { pyRepr } from './errors.js';
import type { StoredRecord } from './fields.js';
import { SUPERUSER_ID, type OdooDatabase } from './orm.js';

/** Python `str()` of a value put in a URL by werkzeug's url_encode (None is skipped). */
function pyStr(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return pyRepr(value);
}

/** Python's json.dumps: `", "`/`": "` separators unless compact, non-ASCII escaped. */
export function pyJsonDumps(value: Record<string, unknown>, compact: boolean): string {
  const [itemSep, keySep] = compact ? [',', ':'] : [', ', ': '];
  const body = Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}${keySep}${JSON.stringify(v)}`)
    .join(itemSep);
  return `{${body}}`.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** werkzeug's url_quote_plus. */
export const urlQuotePlus = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

export const pkceChallenge = (codeVerifier: string) =>
  createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');

export interface LoginPageInput {
  db: OdooDatabase;
  /** Odoo's base URL as the browser sees it (`url_root` without the trailing slash). */
  baseUrl: string;
  /** `?redirect=` of the login page, carried in the state. */
  redirect: string | null;
  /** Signup token (`?token=`), carried as state `t` on 15. */
  signupToken: string | null;
}

function absolute(baseUrl: string, redirect: string, leadingSlash: boolean): string {
  if (/^(\/\/|https?:\/\/)/.test(redirect)) return redirect;
  if (leadingSlash) return baseUrl + redirect;
  return `${baseUrl}/${redirect.startsWith('/') ? redirect.slice(1) : redirect}`;
}

function responseType(flow: unknown): string {
  if (flow === 'id_token_code' || flow === 'oidc_auth_code') return 'code';
  if (flow === 'id_token' || flow === 'oidc_implicit') return 'id_token token';
  return 'token';
}

/** auth_oauth `list_providers` + the OIDC layer's rewrite of each `auth_link`. */
export function authLink(provider: StoredRecord, input: LoginPageInput): string {
  const version = input.db.odooVersion;
  const redirect = absolute(input.baseUrl, input.redirect || (version === 15 ? 'web' : '/web'), version === 17);
  const state: Record<string, unknown> = { d: input.db.name, p: provider.id, r: urlQuotePlus(redirect) };
  if (version === 15 && input.signupToken) state.t = input.signupToken;
  const params = new Map<string, string | undefined>([
    ['response_type', version === 15 ? 'token' : responseType(provider.flow)],
    ['client_id', pyStr(provider.client_id)],
    ['redirect_uri', `${input.baseUrl}/auth_oauth/signin`],
    ['scope', pyStr(provider.scope)],
    ['state', pyJsonDumps(state, version === 17)],
  ]);
  const flow = provider.flow;
  const oidc =
    version === 15
      ? flow === 'id_token' || flow === 'id_token_code'
      : typeof flow === 'string' && flow.startsWith('oidc');
  if (oidc) {
    params.set('nonce', randomBytes(32).toString('base64url'));
    if (version === 15) params.set('response_type', responseType(flow));
    if (version === 15 || provider.enable_pkce === true) {
      params.set('code_challenge', pkceChallenge(String(provider.code_verifier)));
      params.set('code_challenge_method', 'S256');
    }
    if (version === 15 && typeof provider.scope === 'string' && provider.scope) params.set('scope', provider.scope);
  }
  // 15 merges extra params only for OIDC flows; 17 for every flow. Bad JSON is a 500, as in Odoo.
  if (oidc || version === 17) {
    const extra =
      typeof provider.extra_authorize_params === 'string' && provider.extra_authorize_params
        ? provider.extra_authorize_params
        : '{}';
    const parsed = JSON.parse(extra) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new TypeError('extra_authorize_params is not a JSON object');
    for (const [key, value] of Object.entries(parsed)) params.set(key, pyStr(value));
  }
  const query = new URLSearchParams();
  for (const [key, value] of params) if (value !== undefined) query.append(key, value);
  return `${String(provider.auth_endpoint)}?${query.toString()}`;
}

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const OAUTH_ERRORS: Record<string, string> = {
  '1': 'Sign up is not allowed on this database.',
  '2': 'Access Denied',
  '3': 'You do not have access to this database or your invitation has expired. Please ask for an invitation and be sure to follow the link in your invitation email.',
};

export function enabledProviders(db: OdooDatabase): StoredRecord[] {
  const model = db.model('auth.oauth.provider');
  return model.search(SUPERUSER_ID, [['enabled', '=', true]]).map((id) => model.records.get(id)!);
}

export function loginPage(req: SandboxRequest, db: OdooDatabase, baseUrl: string): SandboxResponse {
  const input: LoginPageInput = {
    db,
    baseUrl,
    redirect: req.query.get('redirect'),
    signupToken: req.query.get('token'),
  };
  let buttons: string;
  try {
    buttons = enabledProviders(db)
      .map((provider) => {
        const icon =
          db.odooVersion === 17 && typeof provider.image_icon_url === 'string' && provider.image_icon_url
            ? `<img src="${escapeHtml(provider.image_icon_url)}" alt=""/>`
            : `<i class="${escapeHtml(pyStr(provider.css_class) ?? '')}"></i>`;
        return (
          `<a class="list-group-item list-group-item-action py-2" href="${escapeHtml(authLink(provider, input))}">\n` +
          `              ${icon}\n              ${escapeHtml(String(provider.body))}\n            </a>`
        );
      })
      .join('\n            ');
  } catch (err) {
    return {
      status: 500,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<h1>Internal Server Error</h1><!-- ${escapeHtml(String(err))} -->`,
    };
  }
  const error = OAUTH_ERRORS[req.query.get('oauth_error') ?? ''];
  const providersBlock = buttons
    ? `<em class="d-block text-center text-muted small my-3">- or -</em>\n          <div class="o_auth_oauth_providers list-group mt-1 mb-1 text-left">\n            ${buttons}\n          </div>`
    : '';
  const html = `<!DOCTYPE html>
<html lang="en-US">
  <head><meta charset="utf-8"/><title>Login | OpenG2P</title></head>
  <body class="bg-100">
    <div class="container py-5">
      <form class="oe_login_form" role="form" method="post" action="/web/login">
        <div class="form-group field-db"><label for="db">Database</label><input type="text" name="db" id="db" value="${escapeHtml(db.name)}" readonly="readonly"/></div>
        <div class="form-group field-login"><label for="login">Email</label><input type="text" name="login" id="login" required="required" autocapitalize="off"/></div>
        <div class="form-group field-password"><label for="password">Password</label><input type="password" name="password" id="password" required="required"/></div>
        ${error ? `<p class="alert alert-danger" role="alert">${escapeHtml(error)}</p>` : ''}
        <div class="clearfix oe_login_buttons text-center mb-1 pt-3">
          <button type="submit" class="btn btn-primary btn-block">Log in</button>
          ${providersBlock}
        </div>
        <input type="hidden" name="redirect" value="${escapeHtml(req.query.get('redirect') ?? '')}"/>
      </form>
    </div>
  </body>
</html>
`;
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
}
