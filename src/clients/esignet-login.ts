// The relying-party view of an e-Signet login, for verification: drive the UI backend as the
// e-Signet UI does (CSRF, oauth-details, OTP, consent), then exchange the code with a
// private_key_jwt client assertion and fetch the signed userinfo.
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { ContractViolation, RemoteRejection } from './errors.js';
import { esignetResponse, unwrapEsignet } from './esignet.js';
import { HttpClient, firstHeader, mosipTime, parseResponse, type HttpOptions, type HttpResponse } from './http.js';
import { nameTheCall } from './login-call.js';

export interface AuthorizeRequest {
  /** Full authorize URL with query, e.g. from OpenG2P's login button. */
  authorizeUrl: string;
}

const oauthDetailsSchema = z.object({
  transactionId: z.string().min(1),
  authFactors: z.array(z.array(z.object({ type: z.string() }))),
  essentialClaims: z.array(z.string()).nullish(),
  voluntaryClaims: z.array(z.string()).nullish(),
  authorizeScopes: z.array(z.string()).nullish(),
});
const authCodeSchema = z.object({
  code: z.string().min(1),
  redirectUri: z.string().min(1),
  state: z.string().nullish(),
  nonce: z.string().nullish(),
});
const transactionSchema = z.object({ transactionId: z.string() });
const tokenSchema = z.object({
  id_token: z.string().min(1),
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().optional(),
});
const oauthErrorSchema = z.object({ error: z.string().min(1), error_description: z.string().nullish() });

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_LIFETIME = '5m';

function cookieValue(res: HttpResponse, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  for (const cookie of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    const [pair = ''] = cookie.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** The authorize query, renamed to the oauth-details request fields. */
function oauthDetailsRequest(authorizeUrl: string): Record<string, unknown> {
  const q = new URL(authorizeUrl).searchParams;
  if (q.get('request_uri'))
    throw new Error(
      'authorizeUrl uses a pushed authorization request (request_uri); only plain authorize URLs are supported',
    );
  const get = (name: string) => q.get(name) ?? undefined;
  let claims: unknown;
  const rawClaims = get('claims');
  if (rawClaims) {
    try {
      claims = JSON.parse(rawClaims);
    } catch {
      throw new Error('authorizeUrl: the claims parameter is not JSON');
    }
  }
  const maxAge = get('max_age');
  return {
    clientId: get('client_id'),
    scope: get('scope'),
    responseType: get('response_type'),
    redirectUri: get('redirect_uri'),
    display: get('display'),
    prompt: get('prompt'),
    acrValues: get('acr_values'),
    claims,
    nonce: get('nonce'),
    state: get('state'),
    maxAge: maxAge === undefined ? undefined : Number(maxAge),
    claimsLocales: get('claims_locales'),
    uiLocales: get('ui_locales'),
    codeChallenge: get('code_challenge'),
    codeChallengeMethod: get('code_challenge_method'),
  };
}

/** Runs one step of the login, naming the call (method, full URL, status, error code) if it fails. */
async function step<T>(http: HttpClient, method: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw nameTheCall(err, method, http.url(path), `${method} ${path}`);
  }
}

/**
 * Logs the individual in with an OTP the way the e-Signet UI does and returns the authorization
 * code the browser would be redirected with. `esignetBaseUrl` includes `/v1/esignet`. Sends at
 * most one OTP: `send-otp` is never re-sent, whatever its answer.
 */
export async function loginWithOtp(
  esignetBaseUrl: string,
  authorizeUrl: string,
  individualId: string,
  otp: string,
  opts?: HttpOptions,
): Promise<{ code: string; state: string; redirectUri: string }> {
  const http = new HttpClient('esignet', esignetBaseUrl, opts);
  const details = oauthDetailsRequest(authorizeUrl);

  const { csrfRes, csrf } = await step(http, 'GET', '/csrf/token', async () => {
    const csrfRes = await http.send('/csrf/token', { method: 'GET' });
    http.failOnTransientStatus(csrfRes, 'GET /csrf/token');
    if (csrfRes.status !== 200) throw new ContractViolation('esignet', 'GET /csrf/token', `HTTP ${csrfRes.status}`);
    const csrf = parseResponse(
      'esignet',
      'GET /csrf/token',
      z.object({ token: z.string().min(1) }),
      http.parseJson(csrfRes, 'GET /csrf/token'),
    );
    return { csrfRes, csrf };
  });
  // Spring's double-submit check: the header must repeat the cookie.
  const xsrf = cookieValue(csrfRes, 'XSRF-TOKEN') ?? csrf.token;
  const csrfHeaders = { 'x-xsrf-token': xsrf, cookie: `XSRF-TOKEN=${xsrf}` };
  // `write`: a step of the transaction is never re-sent on its own (send-otp would send a second OTP).
  const post = (path: string, request: unknown, headers: Record<string, string> = {}) =>
    http.send(path, {
      method: 'POST',
      headers: { ...csrfHeaders, ...headers },
      json: { requestTime: mosipTime(), request },
      write: true,
    });

  const detailsPath = '/authorization/v2/oauth-details';
  const { rawDetails, oauth } = await step(http, 'POST', detailsPath, async () => {
    const detailsRes = await post(detailsPath, details);
    const rawDetails = esignetResponse(http, detailsRes, `POST ${detailsPath}`);
    const oauth = parseResponse('esignet', `POST ${detailsPath}`, oauthDetailsSchema, rawDetails);
    if (!oauth.authFactors.some((set) => set.length === 1 && set[0]!.type === 'OTP')) {
      const offered = oauth.authFactors.map((set) => set.map((f) => f.type).join('+')).join(', ');
      throw new RemoteRejection(
        'esignet',
        'otp_not_offered',
        `the client's ACRs offer no OTP login (offered: ${offered || 'none'})`,
        detailsRes.status,
      );
    }
    return { rawDetails, oauth };
  });
  const transactionHeaders = {
    'oauth-details-key': oauth.transactionId,
    'oauth-details-hash': createHash('sha256').update(JSON.stringify(rawDetails)).digest('base64url'),
  };
  const { transactionId } = oauth;

  const sendOtp = '/authorization/send-otp';
  await step(http, 'POST', sendOtp, async () => {
    const otpRes = await post(
      sendOtp,
      { transactionId, individualId, otpChannels: ['email', 'phone'] },
      transactionHeaders,
    );
    unwrapEsignet(http, otpRes, `POST ${sendOtp}`, transactionSchema);
  });

  const authenticate = '/authorization/v2/authenticate';
  const challengeList = [{ authFactorType: 'OTP', challenge: otp, format: 'alpha-numeric' }];
  await step(http, 'POST', authenticate, async () => {
    const authRes = await post(authenticate, { transactionId, individualId, challengeList }, transactionHeaders);
    unwrapEsignet(http, authRes, `POST ${authenticate}`, transactionSchema);
  });

  // Consent: accept every claim and scope the relying party asked for.
  const authCode = '/authorization/auth-code';
  const acceptedClaims = [...(oauth.essentialClaims ?? []), ...(oauth.voluntaryClaims ?? [])];
  const issued = await step(http, 'POST', authCode, async () => {
    const codeRes = await post(
      authCode,
      { transactionId, acceptedClaims, permittedAuthorizeScopes: oauth.authorizeScopes ?? [] },
      transactionHeaders,
    );
    return unwrapEsignet(http, codeRes, `POST ${authCode}`, authCodeSchema);
  });
  return { code: issued.code, state: issued.state ?? '', redirectUri: issued.redirectUri };
}

/** OAuth error JSON → RemoteRejection with the OAuth code; 1.4.1 also sends business codes with HTTP 500. */
function rejectOAuthError(http: HttpClient, res: HttpResponse, endpoint: string): void {
  let parsed: z.infer<typeof oauthErrorSchema> | undefined;
  try {
    parsed = oauthErrorSchema.safeParse(JSON.parse(res.text)).data;
  } catch {
    parsed = undefined;
  }
  // A 500 naming a specific code is e-Signet ≤1.6 reporting a refusal (e.g. an INACTIVE client), not an outage.
  if (
    parsed &&
    res.status >= 400 &&
    res.status < 600 &&
    res.status !== 429 &&
    !(res.status >= 500 && parsed.error === 'unknown_error')
  ) {
    throw new RemoteRejection(
      http.system,
      parsed.error,
      `${endpoint}: ${parsed.error_description ?? parsed.error}`,
      res.status,
    );
  }
  http.failOnTransientStatus(res, endpoint);
  if (res.status !== 200)
    throw new RemoteRejection(
      http.system,
      `HTTP_${res.status}`,
      `${endpoint}: refused with HTTP ${res.status}`,
      res.status,
    );
}

/** Exchanges an authorization code, authenticating with a private_key_jwt assertion (RS256, iss = sub = client id). */
export async function exchangeCode(
  tokenEndpoint: string,
  p: { code: string; clientId: string; redirectUri: string; privateJwk: JWK; audience: string; codeVerifier?: string },
  opts?: HttpOptions,
): Promise<{ idToken: string; accessToken: string }> {
  const signingKey = await importJWK(p.privateJwk, 'RS256');
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(p.clientId)
    .setSubject(p.clientId)
    .setAudience(p.audience)
    .setIssuedAt()
    .setExpirationTime(ASSERTION_LIFETIME)
    .setJti(randomUUID())
    .sign(signingKey);
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code: p.code,
    redirect_uri: p.redirectUri,
    client_id: p.clientId,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: assertion,
  };
  if (p.codeVerifier) form['code_verifier'] = p.codeVerifier;
  const http = new HttpClient('esignet', tokenEndpoint, opts);
  const endpoint = `POST ${new URL(tokenEndpoint).pathname}`;
  const res = await http.send('', { method: 'POST', form });
  rejectOAuthError(http, res, endpoint);
  const tokens = parseResponse('esignet', endpoint, tokenSchema, http.parseJson(res, endpoint));
  return { idToken: tokens.id_token, accessToken: tokens.access_token };
}

/** Returns the userinfo body as received: a compact JWS (or a JWE when the client asked for encryption). */
export async function userinfo(userinfoEndpoint: string, accessToken: string, opts?: HttpOptions): Promise<string> {
  const http = new HttpClient('esignet', userinfoEndpoint, opts);
  const endpoint = `GET ${new URL(userinfoEndpoint).pathname}`;
  const res = await http.send('', {
    method: 'GET',
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/jwt' },
  });
  if (res.status === 401) {
    const challenge = firstHeader(res.headers['www-authenticate']) ?? '';
    const code = /error="([^"]+)"/.exec(challenge)?.[1] ?? 'invalid_token';
    throw new RemoteRejection('esignet', code, `${endpoint}: access token refused (HTTP 401)`, 401);
  }
  http.failOnTransientStatus(res, endpoint);
  if (res.status !== 200)
    throw new RemoteRejection(
      'esignet',
      `HTTP_${res.status}`,
      `${endpoint}: refused with HTTP ${res.status}`,
      res.status,
    );
  const body = res.text.trim();
  const parts = body.split('.').length;
  if (parts !== 3 && parts !== 5)
    throw new ContractViolation('esignet', endpoint, 'body is neither a compact JWS nor a JWE');
  return body;
}
