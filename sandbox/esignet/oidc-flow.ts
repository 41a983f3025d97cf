// The browser side of the login as the e-Signet UI drives it: the /authorize page, the CSRF token
// and `/authorization/oauth-details`, which validates the authorize parameters and opens a transaction.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Route, SandboxRequest, SandboxResponse } from '../router.js';
import { AUTHORIZE_SCOPES, OPENID_SCOPES, SCOPE_CLAIMS, acrFactors } from './discovery.js';
import {
  UnreadableField,
  asString as str,
  businessError,
  fieldError,
  readWrapper,
  springError,
  success,
  type EsignetError,
} from './envelope.js';
import {
  SERVLET_PATH,
  type AuthFactor,
  type EsignetClientRecord,
  type EsignetState,
  type OidcTransaction,
} from './state.js';
import { isValidRedirectUrl, matchesRegisteredRedirectUri } from './urls.js';

const DISPLAYS = ['page', 'popup', 'touch', 'wap'];
const PROMPTS = ['none', 'login', 'consent', 'select_account'];
const CSRF_COOKIE = 'XSRF-TOKEN';

/** Spring's CookieCsrfTokenRepository: the `X-XSRF-TOKEN` header must repeat the `XSRF-TOKEN` cookie. */
export function csrfRefusal(req: SandboxRequest): SandboxResponse | undefined {
  const cookie = req.cookies[CSRF_COOKIE];
  const header = req.headers['x-xsrf-token'];
  if (cookie && typeof header === 'string' && header === cookie) return undefined;
  return springError(403, 'Forbidden', req.path);
}

function csrfToken(): SandboxResponse {
  const token = randomUUID();
  return {
    status: 200,
    headers: { 'set-cookie': `${CSRF_COOKIE}=${token}; Path=/; HttpOnly` },
    body: { token, parameterName: '_csrf', headerName: 'X-XSRF-TOKEN' },
  };
}

function authorizePage(): SandboxResponse {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>e-Signet</title></head>' +
    '<body><main id="esignet-login"><h1>Login with e-Signet</h1>' +
    '<p>Sandbox authorize page: the login continues through /v1/esignet/authorization/oauth-details.</p></main></body></html>';
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
}

const split = (v: string | undefined) =>
  (v ?? '')
    .split(' ')
    .map((s) => s.trim())
    .filter(Boolean);

/** `@OIDCScope`: some known scope; openid scopes need `openid`. */
function isValidScope(scope: string | undefined): boolean {
  const scopes = split(scope);
  const openid = scopes.includes('openid');
  const known = scopes.filter((s) => OPENID_SCOPES.includes(s) || AUTHORIZE_SCOPES.includes(s));
  if (!known.length) return false;
  return openid || !scopes.some((s) => OPENID_SCOPES.includes(s) && s !== 'openid');
}

function validateOAuthDetails(r: Record<string, unknown>, withPkce: boolean): EsignetError[] {
  const errors: EsignetError[] = [];
  const check = (field: string, code: string, ok: boolean) => {
    if (!ok) errors.push(fieldError(`request.${field}`, code));
  };
  const optional = (field: string, allowed: string[]) =>
    r[field] === undefined || r[field] === null || allowed.includes(String(r[field]));
  check('clientId', 'invalid_client_id', !!str(r['clientId'])?.trim());
  check('scope', 'invalid_scope', isValidScope(str(r['scope'])));
  check('responseType', 'invalid_response_type', str(r['responseType']) === 'code');
  check('redirectUri', 'invalid_redirect_uri', isValidRedirectUrl(str(r['redirectUri'])));
  check('display', 'invalid_display', optional('display', DISPLAYS));
  check('prompt', 'invalid_prompt', optional('prompt', PROMPTS));
  if (withPkce)
    check('codeChallengeMethod', 'unsupported_pkce_challenge_method', optional('codeChallengeMethod', ['S256']));
  const claims = r['claims'];
  if (claims !== undefined && claims !== null && (typeof claims !== 'object' || Array.isArray(claims)))
    throw new UnreadableField('claims', 'an object');
  return errors;
}

type ClaimsRequest = {
  userinfo?: Record<string, { essential?: boolean } | null>;
  id_token?: Record<string, { values?: string[] } | null>;
};

/** ClaimsHelperService.resolveRequestedClaims: scope claims plus the claims parameter, limited to the client's registered claims. */
function resolveClaims(scope: string[], claims: ClaimsRequest | undefined, client: EsignetClientRecord) {
  const requested = new Map<string, boolean>();
  if (scope.includes('openid')) for (const s of scope) for (const c of SCOPE_CLAIMS[s] ?? []) requested.set(c, false);
  for (const [name, detail] of Object.entries(claims?.userinfo ?? {})) requested.set(name, detail?.essential === true);
  const allowed = [...requested].filter(([name]) => client.userClaims.includes(name));
  return {
    essentialClaims: allowed.filter(([, essential]) => essential).map(([name]) => name),
    voluntaryClaims: allowed.filter(([, essential]) => !essential).map(([name]) => name),
  };
}

/** resolveACRClaim: claims.id_token.acr first, then acr_values, else every registered ACR. */
function resolveAcrs(registered: string[], acrValues: string | undefined, claims: ClaimsRequest | undefined): string[] {
  const fromClaims = (claims?.id_token?.['acr']?.values ?? []).filter((a) => registered.includes(a));
  if (fromClaims.length) return fromClaims;
  const fromParam = split(acrValues).filter((a) => registered.includes(a));
  return fromParam.length ? fromParam : registered;
}

function authFactorsFor(state: EsignetState, acrs: string[]): AuthFactor[][] {
  const factors = acrFactors(state.version);
  return acrs
    .filter((acr) => factors[acr])
    .map((acr) => [{ type: factors[acr]!, count: factors[acr] === 'BIO' ? 1 : 0, subTypes: null }]);
}

export function oauthDetailsHash(response: unknown): string {
  return createHash('sha256').update(JSON.stringify(response)).digest('base64url');
}

function oauthDetails(state: EsignetState, req: SandboxRequest, version: 'v1' | 'v2'): SandboxResponse {
  const refused = csrfRefusal(req);
  if (refused) return refused;
  const body = readWrapper(req, (r) => validateOAuthDetails(r, version === 'v2'));
  if (!body.ok) return body.response;
  const r = body.request;
  const client = state.activeClient(str(r['clientId']));
  if (!client) return businessError('invalid_client_id');
  if (client.additionalConfig?.['require_pushed_authorization_requests'] === true)
    return businessError('invalid_request');
  const redirectUri = str(r['redirectUri'])!;
  if (!matchesRegisteredRedirectUri(client.redirectUris, redirectUri)) return businessError('invalid_redirect_uri');
  if (str(r['codeChallenge']) && !str(r['codeChallengeMethod'])) return businessError('invalid_pkce_challenge');

  const scope = split(str(r['scope']));
  const claims = (r['claims'] ?? undefined) as ClaimsRequest | undefined;
  const acrs = resolveAcrs(
    client.authContextRefs.flatMap((a) => split(a)),
    str(r['acrValues']),
    claims,
  );
  if (!acrs.length) return businessError('no_acr_registered');
  const { essentialClaims, voluntaryClaims } = resolveClaims(scope, claims, client);
  const authFactors = authFactorsFor(state, acrs);
  const transactionId = randomBytes(32).toString('base64url');
  const configs: Record<string, unknown> = {
    'sbi.env': 'Developer',
    'otp.length': 6,
    'send.otp.channels': 'email,phone',
    'resend.otp.delay.secs': 180,
  };
  if (state.version === '1.7.0') configs['clientAdditionalConfig'] = client.additionalConfig ?? null;
  const common = {
    transactionId,
    logoUrl: client.logoUri,
    authFactors,
    authorizeScopes: scope.filter((s) => AUTHORIZE_SCOPES.includes(s)),
    essentialClaims,
    voluntaryClaims,
    configs,
    redirectUri,
  };
  const response =
    version === 'v1'
      ? { ...common, clientName: client.clientName }
      : { ...common, clientName: client.clientNameLangMap ?? { '@none': client.clientName }, credentialScopes: [] };
  const transaction: OidcTransaction = {
    transactionId,
    phase: 'pre-auth',
    clientId: client.clientId,
    relyingPartyId: client.relyingPartyId,
    redirectUri,
    state: str(r['state']),
    nonce: str(r['nonce']),
    acrs,
    authFactors,
    essentialClaims,
    voluntaryClaims,
    authorizeScopes: common.authorizeScopes,
    oauthDetailsHash: oauthDetailsHash(response),
    codeChallenge: version === 'v2' ? str(r['codeChallenge']) : undefined,
    sendOtpAttempts: 0,
    authenticateAttempts: 0,
  };
  state.transactions.set(transactionId, transaction);
  return success(response);
}

export function oidcFlowRoutes(state: EsignetState): Route[] {
  return [
    { method: 'GET', path: '/authorize', handler: () => authorizePage() },
    { method: 'GET', path: `${SERVLET_PATH}/csrf/token`, handler: () => csrfToken() },
    {
      method: 'POST',
      path: `${SERVLET_PATH}/authorization/oauth-details`,
      handler: (req) => oauthDetails(state, req, 'v1'),
    },
    {
      method: 'POST',
      path: `${SERVLET_PATH}/authorization/v2/oauth-details`,
      handler: (req) => oauthDetails(state, req, 'v2'),
    },
  ];
}
