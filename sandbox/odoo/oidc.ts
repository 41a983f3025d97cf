// What Odoo's OIDC modules do over the network during a login: the token request with a
// private-key-JWT client assertion, JWKS fetches, token verification, the userinfo call.
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { request } from 'undici';
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';

/**
 * A login failure and the `oauth_error` Odoo's auth_oauth controller redirects with: 1 for an
 * AttributeError, 3 for AccessDenied, 2 for anything else.
 */
export class SigninFailure extends Error {
  constructor(
    readonly oauthError: 1 | 2 | 3,
    message: string,
  ) {
    super(message);
  }
}

export const failed = (reason: string) => new SigninFailure(2, reason);
export const denied = (reason: string) => new SigninFailure(3, reason);
export const attributeError = (reason: string) => new SigninFailure(1, `AttributeError: ${reason}`);

/**
 * python-jose's signature algorithms (jose/constants.py, 3.3.0–3.5.0): no PS256. A token signed with
 * anything else fails whether or not the caller names `algorithms`.
 */
export const PYTHON_JOSE_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

interface FetchedResponse {
  status: number;
  contentType: string;
  wwwAuthenticate: string;
  text: string;
}

async function send(
  url: unknown,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<FetchedResponse> {
  if (typeof url !== 'string' || !/^https?:\/\//.test(url))
    throw failed(`Invalid URL ${JSON.stringify(url)}: No schema supplied`);
  try {
    // Odoo's requests calls use timeout=10.
    const res = await request(url, { ...init, headersTimeout: 10_000, bodyTimeout: 10_000 });
    const header = (name: string) => {
      const value = res.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? '');
    };
    return {
      status: res.statusCode,
      contentType: header('content-type'),
      wwwAuthenticate: header('www-authenticate'),
      text: await res.body.text(),
    };
  } catch (err) {
    if (err instanceof SigninFailure) throw err;
    throw failed(`${init.method} ${url} failed: ${(err as { code?: string }).code ?? String(err)}`);
  }
}

/** requests' raise_for_status(), with the body's OAuth error code kept for the test log. */
function raiseForStatus(res: FetchedResponse, what: string, url: string): void {
  if (res.status >= 400) throw failed(`${what} ${url} answered HTTP ${res.status}: ${res.text.slice(0, 300)}`);
}

/** `base64.b64decode(client_private_key)` handed to python-jose: a PEM RSA key, nothing else. */
function privateKeyFromField(clientPrivateKey: unknown): KeyObject {
  if (typeof clientPrivateKey !== 'string' || !clientPrivateKey) throw failed('client_private_key is not set');
  const bytes = Buffer.from(clientPrivateKey, 'base64');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: bytes, format: 'pem' });
  } catch {
    throw failed('client_private_key does not decode to a PEM private key (python-jose reads PEM only)');
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw failed(`client_private_key is a ${key.asymmetricKeyType} key; RS256 needs RSA`);
  return key;
}

/**
 * The RS256 client assertion both generations sign: iss = sub = client_id, aud, iat, exp = +1h and
 * no jti (auth_oidc create_private_key_jwt, g2p_auth_oidc oidc_create_private_key_jwt), which
 * e-Signet 1.6.0 and later refuse.
 */
export async function clientAssertion(clientPrivateKey: unknown, clientId: string, audience: string): Promise<string> {
  const key = privateKeyFromField(clientPrivateKey);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}

export interface TokenResponse {
  accessToken?: string;
  idToken?: string;
}

export async function requestTokens(
  tokenEndpoint: unknown,
  form: Record<string, string>,
  basicAuth?: [string, string],
): Promise<TokenResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' };
  if (basicAuth) headers.authorization = `Basic ${Buffer.from(`${basicAuth[0]}:${basicAuth[1]}`).toString('base64')}`;
  const res = await send(tokenEndpoint, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  raiseForStatus(res, 'token endpoint', String(tokenEndpoint));
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    throw failed(`token endpoint ${String(tokenEndpoint)} answered a body that is not JSON`);
  }
  return {
    accessToken: typeof body.access_token === 'string' && body.access_token ? body.access_token : undefined,
    idToken: typeof body.id_token === 'string' && body.id_token ? body.id_token : undefined,
  };
}

export async function fetchJwks(jwksUri: unknown): Promise<JWK[]> {
  const res = await send(jwksUri, { method: 'GET', headers: { accept: 'application/json' } });
  raiseForStatus(res, 'JWKS', String(jwksUri));
  try {
    const keys = (JSON.parse(res.text) as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new Error('no keys');
    return keys as JWK[];
  } catch {
    throw failed(`JWKS ${String(jwksUri)} is not a JWK set`);
  }
}

export interface VerifyOptions {
  /** Allowed JWS algorithms; undefined = whatever the header says (python-jose without `algorithms`). */
  algorithms?: string[];
  /** Select keys by the header's kid (15's `_get_keys`); 17 tries every key. */
  selectByKid: boolean;
  audience?: string;
  /** Verify `at_hash` against this access token when the claim is present. */
  atHashOf?: string;
  what: string;
}

function atHash(accessToken: string, alg: string): string {
  const bits = alg.endsWith('512') ? 'sha512' : alg.endsWith('384') ? 'sha384' : 'sha256';
  const digest = createHash(bits).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** Verifies a JWS against a JWKS; `undefined` when no key is a candidate (15 then reads no claims). */
export async function verifyWithJwks(token: string, keys: JWK[], opts: VerifyOptions): Promise<JWTPayload | undefined> {
  let header: { alg?: string; kid?: string };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw failed(`${opts.what} is not a JWS`);
  }
  const alg = header.alg ?? '';
  if (opts.algorithms && !opts.algorithms.includes(alg))
    throw failed(`${opts.what}: JWSError: The specified alg value is not allowed (${alg})`);
  // python-jose constructs the key for the header's alg; it has no RSASSA-PSS.
  if (!PYTHON_JOSE_ALGORITHMS.includes(alg))
    throw failed(`${opts.what}: JWKError: Unable to find an algorithm for key (python-jose has no ${alg})`);
  const candidates = opts.selectByKid && header.kid !== undefined ? keys.filter((key) => key.kid === header.kid) : keys;
  if (opts.selectByKid && candidates.length > 1 && header.kid === undefined) {
    throw failed('OpenID Connect requires kid to be set if there is more than one key in the JWKS');
  }
  let lastError: unknown;
  for (const jwk of candidates) {
    try {
      const { alg: _ignored, ...keyMaterial } = jwk;
      const key = await importJWK(keyMaterial, alg);
      const { payload } = await jwtVerify(token, key, {
        algorithms: [alg],
        ...(opts.audience ? { audience: opts.audience } : {}),
      });
      if (opts.atHashOf && typeof payload.at_hash === 'string' && payload.at_hash !== atHash(opts.atHashOf, alg)) {
        throw new Error('at_hash claim does not match access_token.');
      }
      return payload;
    } catch (err) {
      lastError = err;
    }
  }
  if (lastError) throw failed(`${opts.what} verification failed: ${(lastError as Error).message}`);
  return undefined;
}

export function unverifiedClaims(token: string, what: string): Record<string, unknown> {
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    throw failed(`${what} is not a JWT`);
  }
}

/**
 * `_auth_oauth_rpc`: the token goes as `Authorization: Bearer` only when the system parameter
 * `auth_oauth.authorization_header` is set, else as `?access_token=` (which e-Signet refuses).
 * JSON or `application/jwt` bodies; the JWT is read without a signature check
 * (`jwt.decode(..., options={"verify_signature": False})`): the identity system signs it with a key
 * e-Signet's JWKS does not list.
 */
export async function fetchUserinfo(
  endpoint: unknown,
  accessToken: string,
  authorizationHeader: boolean,
): Promise<Record<string, unknown>> {
  if (typeof endpoint !== 'string' || !endpoint) throw failed('validation_endpoint (Userinfo URL) is not set');
  let url = endpoint;
  const headers: Record<string, string> = { accept: '*/*' };
  if (authorizationHeader) headers.authorization = `Bearer ${accessToken}`;
  else {
    const withToken = new URL(endpoint);
    withToken.searchParams.set('access_token', accessToken);
    url = withToken.toString();
  }
  const res = await send(url, { method: 'GET', headers });
  if (res.status >= 400) {
    const how = authorizationHeader
      ? ''
      : '; the token was sent as ?access_token= because ir.config_parameter auth_oauth.authorization_header is not set';
    throw failed(
      `userinfo ${endpoint} answered HTTP ${res.status}${res.wwwAuthenticate ? ` (WWW-Authenticate: ${res.wwwAuthenticate})` : ''}${how}`,
    );
  }
  if (res.contentType.includes('application/jwt')) {
    const token = res.text.trim();
    if (token.split('.').length === 5)
      throw failed('userinfo is encrypted (JWE); OpenG2P decodes signed (JWS) userinfo only');
    return unverifiedClaims(token, 'userinfo JWT');
  }
  if (res.contentType.includes('application/json')) {
    try {
      return JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      throw failed('userinfo JSON body does not parse');
    }
  }
  throw failed(
    `userinfo answered content-type ${res.contentType || '(none)'}; expected application/jwt or application/json`,
  );
}
