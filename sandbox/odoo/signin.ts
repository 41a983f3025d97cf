// `GET /auth_oauth/signin`: the callback e-Signet redirects the browser to. Reproduces the
// 15 stack (auth_oidc fork + g2p_auth_id_oidc) and the 17 stack (g2p_auth_oidc) closely
// enough that a wrong key, endpoint, mapping or date format fails here as it would there.
import type { SandboxRequest, SandboxResponse } from '../router.js';
import type { StoredRecord } from './fields.js';
import { compareVersions } from '../../src/compat/versions.js';
import {
  attributeError,
  clientAssertion,
  denied,
  failed,
  fetchJwks,
  fetchUserinfo,
  requestTokens,
  SigninFailure,
  unverifiedClaims,
  verifyWithJwks,
  type TokenResponse,
} from './oidc.js';
import { SUPERUSER_ID, type OdooDatabase } from './orm.js';
import { OdooException } from './errors.js';

export interface SigninOutcome {
  uid: number;
  login: string;
}

interface SigninInput {
  db: OdooDatabase;
  provider: StoredRecord;
  params: URLSearchParams;
  /** `<odoo>/auth_oauth/signin`, the redirect_uri sent at authorize. */
  redirectUri: string;
}

type Claims = Record<string, unknown>;

const ASSERTION_TYPE_PREFIX = 'urn:ietf:params:oauth:client-assertion-type:';

/** `from:to` pairs split on single spaces; a pair without ':' fails to unpack, as in Python. */
function pairs(mapping: string, skipEmpty: boolean): [string, string][] {
  return mapping
    .split(' ')
    .filter((pair) => !skipEmpty || pair)
    .map((pair) => {
      const colon = pair.indexOf(':');
      if (colon < 0)
        throw failed(`mapping pair ${JSON.stringify(pair)}: not enough values to unpack (expected 2, got 1)`);
      return [pair.slice(0, colon).trim(), pair.slice(colon + 1).trim()];
    });
}

/** Python's strptime for the directives OpenG2P's date formats use. */
function checkDateFormat(value: unknown, format: unknown): void {
  if (!value) return;
  const fmt = typeof format === 'string' ? format : '%Y/%m/%d';
  const pattern = fmt.replace(
    /%[YmdHMSy%]|[^%]+/g,
    (token) =>
      ({
        '%Y': '(\\d{4})',
        '%m': '(\\d{1,2})',
        '%d': '(\\d{1,2})',
        '%H': '\\d{1,2}',
        '%M': '\\d{1,2}',
        '%S': '\\d{1,2}',
        '%y': '\\d{2}',
        '%%': '%',
      })[token] ?? token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  const match = new RegExp(`^${pattern}$`).exec(String(value));
  const parts: string[] = fmt.match(/%[Ymd]/g) ?? [];
  const field = (directive: string) => Number(match?.[parts.indexOf(directive) + 1]);
  const inRange = !parts.includes('%m') || (field('%m') >= 1 && field('%m') <= 12);
  const dayOk = !parts.includes('%d') || (field('%d') >= 1 && field('%d') <= 31);
  if (!match || !inRange || !dayOk) throw failed(`time data '${String(value)}' does not match format '${fmt}'`);
}

async function tokens15(input: SigninInput): Promise<TokenResponse> {
  const p = input.provider;
  if (p.flow === 'id_token')
    return {
      accessToken: input.params.get('access_token') ?? undefined,
      idToken: input.params.get('id_token') ?? undefined,
    };
  if (p.flow !== 'id_token_code') throw failed(`flow ${String(p.flow)} (plain OAuth2) is not served by the sandbox`);
  const common = {
    client_id: String(p.client_id),
    grant_type: 'authorization_code',
    code: input.params.get('code') ?? '',
    code_verifier: String(p.code_verifier),
    redirect_uri: input.redirectUri,
  };
  if (p.client_authentication_method !== 'private_key_jwt') {
    return requestTokens(p.token_endpoint, common, [String(p.client_id), String(p.client_secret)]);
  }
  if (typeof p.assertion_type !== 'string')
    throw failed('can only concatenate str (not "bool") to str: assertion_type is not set');
  const { code, code_verifier, redirect_uri, grant_type, client_id } = common;
  return requestTokens(p.token_endpoint, {
    client_id,
    client_assertion_type: ASSERTION_TYPE_PREFIX + p.assertion_type,
    client_assertion: await clientAssertion(p.client_private_key, client_id, String(p.token_endpoint)),
    grant_type,
    code,
    code_verifier,
    redirect_uri,
  });
}

/** The installed version of a module (`ir.module.module`), if installed. */
function moduleVersion(db: OdooDatabase, name: string): string | undefined {
  const modules = db.models.get('ir.module.module');
  const row = [...(modules?.records.values() ?? [])].find((m) => m.name === name && m.state === 'installed');
  return typeof row?.installed_version === 'string' ? row.installed_version : undefined;
}

/** `auth_oidc.verify_at_hash` (ir.config_parameter, default "True"), read by auth_oidc 15.0.1.1.0. */
function verifyAtHash15(db: OdooDatabase): boolean {
  const params = db.models.get('ir.config_parameter');
  const param = [...(params?.records.values() ?? [])].find((r) => r.key === 'auth_oidc.verify_at_hash');
  return (typeof param?.value === 'string' ? param.value : 'True') !== 'False';
}

/**
 * `_parse_id_token` as the installed modules have it: g2p_auth_id_oidc 15.0.1.1.0 overrides it with
 * `self._get_key(kid)` (no at_hash check), which exists only up to auth_oidc 15.0.1.0.1 (15.0.1.1.0
 * renamed it `_get_keys`); later g2p_auth_id_oidc leaves it to auth_oidc (RS256, at_hash per parameter).
 */
async function parseIdToken15(db: OdooDatabase, p: StoredRecord, idToken: string, accessToken: string) {
  const g2p = moduleVersion(db, 'g2p_auth_id_oidc');
  const auth = moduleVersion(db, 'auth_oidc') ?? '15.0.1.0.1';
  const overridden = g2p !== undefined && compareVersions(g2p, '15.0.1.2.0') < 0;
  if (overridden && compareVersions(auth, '15.0.1.1.0') >= 0)
    throw attributeError("'auth.oauth.provider' object has no attribute '_get_key'");
  return verifyWithJwks(idToken, await fetchJwks(p.jwks_uri), {
    algorithms: ['RS256'],
    selectByKid: true,
    audience: String(p.client_id),
    atHashOf: !overridden && verifyAtHash15(db) ? accessToken : undefined,
    what: 'id_token',
  });
}

/** auth_oidc fork `auth_oauth` + g2p_auth_id_oidc `_auth_oauth_signin` (OpenG2P 1.x). */
async function signin15(input: SigninInput): Promise<SigninOutcome> {
  const { db, provider: p } = input;
  const { accessToken, idToken } = await tokens15(input);
  if (!accessToken) throw denied('No access_token in response.');
  if (!idToken) throw denied('No id_token in response.');
  const validation: Claims = { ...((await parseIdToken15(db, p, idToken, accessToken)) ?? {}) };
  if (typeof p.token_map === 'string' && p.token_map) {
    for (const [from, to] of pairs(p.token_map, false))
      if (!(to in validation)) validation[to] = validation[from] ?? '';
  }
  if ('sub' in validation && !('user_id' in validation)) validation.user_id = validation.sub;
  else if (!validation.user_id) throw denied('user_id claim not found in id_token (after mapping).');
  const oauthUid = String(validation.user_id);

  const existing = findOauthUser(db, p.id, oauthUid);
  if (existing) return touch(db, existing, accessToken);
  // Without "Use G2P Reg ID", auth_signup's b2b default refuses uninvited users.
  if (p.g2p_oidc_id_to_use !== true) throw denied('Signup is not allowed for uninvited users');

  if (p.partner_creation_call_validate_url === true) {
    const userinfo = await fetchUserinfo(p.validation_endpoint, accessToken, authorizationHeader(db));
    const mapping =
      typeof p.partner_creation_validate_response_mapping === 'string'
        ? p.partner_creation_validate_response_mapping
        : '';
    for (const [from, to] of mapping ? pairs(mapping, false) : []) validation[to] = userinfo[from] ?? '';
  }
  checkDateFormat(validation.birthdate, p.partner_creation_date_format);
  const loginAttribute =
    typeof p.login_attribute_mapping_on_user_creation === 'string' ? p.login_attribute_mapping_on_user_creation : '';
  const login = loginAttribute in validation ? validation[loginAttribute] : oauthUid;
  const groups = typeof p.default_group_user_creation === 'number' ? [[4, p.default_group_user_creation]] : undefined;
  return createUser(db, p.id, oauthUid, login, validation.name, groups, accessToken, failed);
}

async function tokens17(input: SigninInput): Promise<TokenResponse> {
  const p = input.provider;
  if (p.flow === 'oidc_implicit')
    return {
      accessToken: input.params.get('access_token') ?? undefined,
      idToken: input.params.get('id_token') ?? undefined,
    };
  if (p.flow !== 'oidc_auth_code') throw failed(`flow ${String(p.flow)} (plain OAuth2) is not served by the sandbox`);
  const form: Record<string, string> = {
    client_id: String(p.client_id),
    grant_type: 'authorization_code',
    code: input.params.get('code') ?? '',
    redirect_uri: input.redirectUri,
  };
  let basic: [string, string] | undefined;
  if (p.client_authentication_method === 'client_secret_basic') basic = [String(p.client_id), String(p.client_secret)];
  if (p.client_authentication_method === 'client_secret_post') form.client_secret = String(p.client_secret);
  if (p.client_authentication_method === 'private_key_jwt') {
    form.client_assertion_type = `${ASSERTION_TYPE_PREFIX}jwt-bearer`;
    const audience =
      typeof p.jwt_assertion_aud === 'string' && p.jwt_assertion_aud ? p.jwt_assertion_aud : String(p.token_endpoint);
    form.client_assertion = await clientAssertion(p.client_private_key, String(p.client_id), audience);
  }
  if (p.enable_pkce === true) form.code_verifier = String(p.code_verifier);
  return requestTokens(p.token_endpoint, form, basic);
}

/** g2p_auth_oidc `auth_oauth` (OpenG2P 1.2+ on Odoo 17). */
async function signin17(input: SigninInput): Promise<SigninOutcome> {
  const { db, provider: p } = input;
  const { accessToken, idToken } = await tokens17(input);
  if (!accessToken) throw denied('No access_token in response.');
  const keys = await fetchJwks(p.jwks_uri);
  await verifyWithJwks(accessToken, keys, { selectByKid: false, what: 'access_token' });
  if (idToken)
    await verifyWithJwks(idToken, keys, {
      selectByKid: false,
      what: 'id_token',
      atHashOf: p.verify_at_hash === true ? accessToken : undefined,
    });

  const header = authorizationHeader(db);
  const userinfo = await fetchUserinfo(p.validation_endpoint, accessToken, header);
  if (typeof p.data_endpoint === 'string' && p.data_endpoint)
    Object.assign(userinfo, await fetchUserinfo(p.data_endpoint, accessToken, header));
  const subject = [userinfo.sub, userinfo.id, userinfo.user_id].find(Boolean);
  delete userinfo.sub;
  delete userinfo.id;
  if (!subject) throw denied('Missing subject identity');
  userinfo.user_id = subject;
  const combined: Claims = {
    ...unverifiedClaims(accessToken, 'access_token'),
    ...(idToken ? unverifiedClaims(idToken, 'id_token') : {}),
    ...userinfo,
  };

  const tokenMap = typeof p.token_map === 'string' ? p.token_map.trim() : '';
  const validation: Claims = tokenMap.endsWith('*:*') ? { ...combined } : {};
  for (const [from, to] of tokenMap ? pairs(tokenMap, true) : []) {
    let value: unknown = combined;
    for (const key of from.split('.')) value = value && typeof value === 'object' ? (value as Claims)[key] : undefined;
    if (value !== undefined) validation[to] = value;
  }
  if (validation.user_id === undefined) throw failed("KeyError: 'user_id' (token_map maps nothing to user_id)");
  const oauthUid = String(validation.user_id);

  const existing = findOauthUser(db, p.id, oauthUid);
  if (existing) return touch(db, existing, accessToken);
  if (p.allow_signup !== 'yes') throw denied('OIDC Signup failed!');
  checkDateFormat(validation.birthdate, p.date_format);
  const login = validation.login ?? validation.email ?? `provider_${p.id}_user_${oauthUid}`;
  const groupIds = Array.isArray(p.signup_default_groups) ? (p.signup_default_groups as number[]) : [];
  const groups = groupIds.length ? groupIds.map((id) => [4, id]) : undefined;
  return createUser(db, p.id, oauthUid, login, validation.name ?? validation.email, groups, accessToken, denied);
}

/** `get_param('auth_oauth.authorization_header')` read as Python truth: any non-empty string. */
function authorizationHeader(db: OdooDatabase): boolean {
  const params = db.models.get('ir.config_parameter');
  return [...(params?.records.values() ?? [])].some(
    (param) => param.key === 'auth_oauth.authorization_header' && Boolean(param.value),
  );
}

function findOauthUser(db: OdooDatabase, providerId: number, oauthUid: string): StoredRecord | undefined {
  const users = db.model('res.users');
  const [uid] = users.search(SUPERUSER_ID, [
    ['oauth_uid', '=', oauthUid],
    ['oauth_provider_id', '=', providerId],
  ]);
  return uid === undefined ? undefined : users.records.get(uid);
}

function touch(db: OdooDatabase, user: StoredRecord, accessToken: string): SigninOutcome {
  db.model('res.users').write(SUPERUSER_ID, [user.id], { oauth_access_token: accessToken });
  return { uid: user.id, login: String(user.login) };
}

function createUser(
  db: OdooDatabase,
  providerId: number,
  oauthUid: string,
  login: unknown,
  name: unknown,
  groups: unknown[] | undefined,
  accessToken: string,
  onError: (reason: string) => SigninFailure,
): SigninOutcome {
  if (typeof login !== 'string' || !login)
    throw onError(`the login attribute gives no usable login (${JSON.stringify(login)})`);
  const values: Record<string, unknown> = {
    login,
    name: typeof name === 'string' && name ? name : login,
    oauth_provider_id: providerId,
    oauth_uid: oauthUid,
    oauth_access_token: accessToken,
    active: true,
  };
  if (groups) values.groups_id = groups;
  try {
    const uid = db.model('res.users').create(SUPERUSER_ID, values);
    return { uid, login };
  } catch (err) {
    if (err instanceof OdooException) throw onError(`user creation failed: ${err.message}`);
    throw err;
  }
}

export interface SigninResult {
  response: SandboxResponse;
  outcome?: SigninOutcome & { providerId: number };
  failure?: { providerId?: number; oauthError: 1 | 2 | 3; reason: string };
}

/** The controller: state → provider → tokens → user → session and 303, or `oauth_error`. */
export async function handleSignin(
  req: SandboxRequest,
  db: OdooDatabase,
  baseUrl: string,
  openSession: (uid: number) => string,
): Promise<SigninResult> {
  let state: Claims;
  try {
    state = JSON.parse(req.query.get('state') ?? '') as Claims;
  } catch {
    return { response: { status: 500, body: 'Internal Server Error: state is missing or not JSON' } };
  }
  if (state.d !== db.name) return { response: { status: 400, body: 'Bad Request: unknown database' } };
  const providerId = Number(state.p);
  const redirect = (oauthError: 1 | 2 | 3) => ({
    status: 303,
    headers: { location: `/web/login?oauth_error=${oauthError}` },
  });
  try {
    const provider = db.model('auth.oauth.provider').records.get(providerId);
    if (!provider) throw failed(`no auth.oauth.provider with id ${String(state.p)}`);
    const input = { db, provider, params: req.query, redirectUri: `${baseUrl}/auth_oauth/signin` };
    const outcome = db.odooVersion === 15 ? await signin15(input) : await signin17(input);
    let location = typeof state.r === 'string' && state.r ? decodeURIComponent(state.r.replace(/\+/g, ' ')) : '/web';
    // auth_oauth: users who are not internal users may not land on /web.
    if (new URL(location, baseUrl).pathname === '/web' && !db.hasAnyGroup(outcome.uid, ['base.group_user']))
      location = '/';
    return {
      response: { status: 303, headers: { location, 'set-cookie': openSession(outcome.uid) } },
      outcome: { ...outcome, providerId },
    };
  } catch (err) {
    const failure = err instanceof SigninFailure ? err : failed(String(err));
    return {
      response: redirect(failure.oauthError),
      failure: { providerId, oauthError: failure.oauthError, reason: failure.message },
    };
  }
}
