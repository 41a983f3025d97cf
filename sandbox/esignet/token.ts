// OAuthController token endpoints and the userinfo endpoint. Error shapes follow the version:
// 1.4.1 answers validation codes verbatim (other EsignetExceptions as 500), 1.7.0 passes through only
// the OAuth codes and maps the rest to `invalid_request` with the code as description.
import { createHash } from 'node:crypto';
import type { Route, SandboxRequest, SandboxResponse } from '../router.js';
import { verifyClientAssertion } from './assertion.js';
import { tokenEndpoint } from './discovery.js';
import { oauthError } from './envelope.js';
import { mockIdentity } from './identity.js';
import { SERVLET_PATH, type EsignetState, type IssuedCode } from './state.js';
import { isValidRedirectUrl, matchesRegisteredRedirectUri } from './urls.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_LIFETIME_SECONDS = 3600;
const OAUTH_CODES = ['invalid_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_grant'];

/** How an `EsignetException(code)` thrown on /oauth/** reaches the client, per version. */
function refusal(state: EsignetState, code: string, kind: 'request' | 'internal' = 'request'): SandboxResponse {
  if (state.version === '1.4.1') return oauthError(code, code, kind === 'internal' ? 500 : 400, false);
  return oauthError(OAUTH_CODES.includes(code) ? code : 'invalid_request', code, 400, true);
}

/** The v1/v2 codes the form validation (TokenRequest annotations) uses. */
function formCodes(state: EsignetState) {
  const v170 = state.version === '1.7.0';
  return {
    grantType: v170 ? 'unsupported_grant_type' : 'invalid_grant_type',
    code: v170 ? 'invalid_grant' : 'invalid_auth_code',
    assertionType: v170 ? 'invalid_client' : 'invalid_assertion_type',
    assertion: v170 ? 'invalid_client' : 'invalid_assertion',
    unknownCode: v170 ? 'invalid_grant' : 'invalid_transaction',
    badAssertion: v170 ? 'invalid_client' : 'invalid_assertion',
  };
}

function validateForm(state: EsignetState, form: URLSearchParams): string | undefined {
  const codes = formCodes(state);
  if (form.get('grant_type') !== 'authorization_code') return codes.grantType;
  if (!form.get('code')?.trim()) return codes.code;
  if (!isValidRedirectUrl(form.get('redirect_uri'))) return 'invalid_redirect_uri';
  if (form.get('client_assertion_type') !== JWT_BEARER) return codes.assertionType;
  if (!form.get('client_assertion')?.trim()) return codes.assertion;
  return undefined;
}

function pkceCheck(issued: IssuedCode, verifier: string | null): string | undefined {
  const challenge = issued.transaction.codeChallenge;
  if (!challenge) return undefined;
  if (!verifier) return 'invalid_pkce_code_verifier';
  return createHash('sha256').update(verifier, 'ascii').digest('base64url') === challenge ? undefined : 'pkce_failed';
}

const atHash = (accessToken: string) =>
  createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

async function issueTokens(state: EsignetState, code: string, issued: IssuedCode): Promise<SandboxResponse> {
  const t = issued.transaction;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + TOKEN_LIFETIME_SECONDS;
  const accessClaims: Record<string, unknown> = {
    iss: state.tokenIssuer,
    sub: t.subject,
    aud: t.clientId,
    iat,
    azp: t.clientId,
  };
  if (t.permittedScopes?.length) accessClaims['scope'] = t.permittedScopes.join(' ');
  Object.assign(accessClaims, { exp, client_id: t.clientId });
  const accessToken = await state.keys.sign(accessClaims, state.tokenSigningAlg);
  const idClaims: Record<string, unknown> = {
    iss: state.tokenIssuer,
    sub: t.subject,
    aud: t.clientId,
    iat,
    exp,
    auth_time: t.authTimeSeconds,
  };
  if (t.nonce !== undefined) idClaims['nonce'] = t.nonce;
  Object.assign(idClaims, { acr: (t.providedAcrs ?? []).join(' '), at_hash: atHash(accessToken) });
  const idToken = await state.keys.sign(idClaims, state.tokenSigningAlg);
  // The KYC exchange: the ID system signs the accepted claims with its own key (observed: not in e-Signet's
  // JWKS); userinfo later returns them as they are.
  const identity = mockIdentity(state.ctx);
  const kyc: Record<string, unknown> = { sub: t.subject };
  for (const claim of t.acceptedClaims ?? [])
    if (identity.claims[claim] !== undefined) kyc[claim] = identity.claims[claim];
  const kycJws = await state.identityKeys.sign(kyc);
  state.codes.delete(code);
  state.accessTokens.set(accessToken, {
    clientId: t.clientId,
    kycJws,
    expiresAt: Date.now() + TOKEN_LIFETIME_SECONDS * 1000,
  });
  return {
    status: 200,
    body: { id_token: idToken, token_type: 'Bearer', access_token: accessToken, expires_in: TOKEN_LIFETIME_SECONDS },
  };
}

async function token(state: EsignetState, req: SandboxRequest, endpoint: 'v1' | 'v2'): Promise<SandboxResponse> {
  if (!String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return { status: 415 };
  const form = req.form;
  const invalid = validateForm(state, form);
  if (invalid) return refusal(state, invalid);
  const codes = formCodes(state);
  const code = form.get('code')!;
  const issued = state.codes.get(code);
  if (!issued || issued.expiresAt < Date.now()) return refusal(state, codes.unknownCode);
  const t = issued.transaction;
  const clientId = form.get('client_id');
  if (clientId && clientId !== t.clientId) return refusal(state, 'invalid_client_id');
  if (form.get('redirect_uri') !== t.redirectUri) return refusal(state, 'invalid_redirect_uri');
  const pkceFailure = pkceCheck(issued, endpoint === 'v2' ? form.get('code_verifier') : null);
  if (pkceFailure) return refusal(state, pkceFailure, 'internal');
  const client = state.activeClient(t.clientId);
  if (!client) return refusal(state, 'invalid_client_id', 'internal');
  // 1.4.1 re-checks the redirect URI against the client's registered list.
  if (state.version === '1.4.1' && !matchesRegisteredRedirectUri(client.redirectUris, form.get('redirect_uri')!)) {
    return refusal(state, 'invalid_redirect_uri');
  }
  const audience = endpoint === 'v2' ? tokenEndpoint(state) : `${state.tokenIssuer}/oauth/token`;
  if (!(await verifyClientAssertion(state, client, form.get('client_assertion')!, audience)))
    return refusal(state, codes.badAssertion);
  return issueTokens(state, code, issued);
}

function acceptsJwt(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => /^\s*(application\/jwt|application\/\*|\*\/\*)\s*(;|$)/.test(part));
}

function userinfo(state: EsignetState, req: SandboxRequest): SandboxResponse {
  if (!acceptsJwt(req.headers.accept)) return { status: 406 };
  const unauthorized = (error: string): SandboxResponse => ({
    status: 401,
    headers: { 'www-authenticate': `error="${error}"` },
  });
  const header = req.headers.authorization;
  if (typeof header !== 'string') return unauthorized('missing_header');
  // The scheme is not looked at: the second space-separated part is the token (Bearer or DPoP).
  const accessToken = header.trim().split(/\s+/)[1];
  if (!accessToken) return unauthorized('unknown_error');
  const issued = state.accessTokens.get(accessToken);
  if (!issued || issued.expiresAt < Date.now()) return unauthorized('invalid_token');
  return { status: 200, headers: { 'content-type': 'application/jwt' }, body: issued.kycJws };
}

export function tokenRoutes(state: EsignetState): Route[] {
  return [
    { method: 'POST', path: `${SERVLET_PATH}/oauth/token`, handler: (req) => token(state, req, 'v1') },
    { method: 'POST', path: `${SERVLET_PATH}/oauth/v2/token`, handler: (req) => token(state, req, 'v2') },
    { method: 'GET', path: `${SERVLET_PATH}/oidc/userinfo`, handler: (req) => userinfo(state, req) },
  ];
}
