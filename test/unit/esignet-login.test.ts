import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import {
  SignJWT,
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
} from 'jose';
import { EsignetClient } from '../../src/clients/esignet.js';
import { exchangeCode, loginWithOtp, userinfo } from '../../src/clients/esignet-login.js';
import { RemoteRejection } from '../../src/clients/errors.js';
import { startStandaloneEsignet, type StandaloneEsignet } from '../../sandbox/esignet/standalone.js';

const REDIRECT_URI = 'http://127.0.0.1:8069/auth_oauth/signin';

interface RegisteredClient {
  clientId: string;
  privateJwk: JWK;
}

async function registerClient(sandbox: StandaloneEsignet, clientId: string): Promise<RegisteredClient> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const token = await sandbox.tokenWithScopes(['add_oidc_client']);
  await new EsignetClient(sandbox.serviceUrl).createOidcClient(token, {
    clientId,
    clientName: 'OpenG2P',
    publicKey: { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' },
    relyingPartyId: 'openg2p-rp',
    userClaims: ['name', 'email', 'gender', 'birthdate', 'phone_number', 'address', 'picture'],
    authContextRefs: ['mosip:idp:acr:generated-code', 'mosip:idp:acr:biometrics'],
    logoUri: 'https://openg2p.example.org/logo.png',
    redirectUris: ['http://127.0.0.1:8069/**'],
    grantTypes: ['authorization_code'],
    clientAuthMethods: ['private_key_jwt'],
  });
  return { clientId, privateJwk: await exportJWK(privateKey) };
}

/** The authorize URL OpenG2P's login button points at. */
function authorizeUrl(sandbox: StandaloneEsignet, clientId: string, extra: Record<string, string> = {}): string {
  const url = new URL(`${sandbox.domain}/authorize`);
  const claims = { userinfo: { name: { essential: true }, email: { essential: false } }, id_token: {} };
  const params = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    acr_values: 'mosip:idp:acr:generated-code',
    claims: JSON.stringify(claims),
    nonce: 'n-0S6_WzA2Mj',
    state: 'st-42',
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

async function login(sandbox: StandaloneEsignet, clientId: string, extra?: Record<string, string>) {
  return loginWithOtp(
    sandbox.serviceUrl,
    authorizeUrl(sandbox, clientId, extra),
    sandbox.credentials.verificationIndividualId,
    sandbox.credentials.verificationOtp,
  );
}

async function assertion(
  client: RegisteredClient,
  audience: string,
  jti: string = randomUUID(),
  privateJwk: JWK = client.privateJwk,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('2m')
    .setJti(jti)
    .sign(await importJWK(privateJwk, 'RS256'));
}

async function postToken(sandbox: StandaloneEsignet, form: Record<string, string>) {
  const res = await fetch(`${sandbox.serviceUrl}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT_URI,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      ...form,
    }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> };
}

async function rejection(promise: Promise<unknown>): Promise<RemoteRejection> {
  const err = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RemoteRejection, `expected RemoteRejection, got ${String(err)}`);
  return err;
}

for (const version of ['1.4.1', '1.7.0'] as const) {
  describe(`e-Signet ${version} stand-in: OIDC login with private_key_jwt`, () => {
    let sandbox: StandaloneEsignet;
    let rp: RegisteredClient;
    let tokenEndpoint: string;
    const codes =
      version === '1.7.0'
        ? { badAssertion: 'invalid_client', usedCode: 'invalid_grant', redirect: 'invalid_request' }
        : { badAssertion: 'invalid_assertion', usedCode: 'invalid_transaction', redirect: 'invalid_redirect_uri' };

    before(async () => {
      sandbox = await startStandaloneEsignet({ esignetVersion: version });
      rp = await registerClient(sandbox, `openg2p-login-${version}`);
      tokenEndpoint = `${sandbox.serviceUrl}/oauth/v2/token`;
    });
    after(() => sandbox.close());

    it('logs the test identity in: tokens verify against the JWKS (RS256 before 1.7, PS256 from 1.7), id_token iss under /v1/esignet, userinfo signed by the identity system', async () => {
      const issued = await login(sandbox, rp.clientId);
      assert.equal(issued.state, 'st-42');
      assert.equal(issued.redirectUri, REDIRECT_URI);
      const tokens = await exchangeCode(tokenEndpoint, {
        code: issued.code,
        clientId: rp.clientId,
        redirectUri: REDIRECT_URI,
        privateJwk: rp.privateJwk,
        audience: tokenEndpoint,
      });

      const discovery = await new EsignetClient(sandbox.serviceUrl).discovery();
      const jwks = createLocalJWKSet(
        (await new EsignetClient(sandbox.serviceUrl).jwks(discovery.jwks_uri)) as { keys: JWK[] },
      );
      const { payload: idToken, protectedHeader } = await jwtVerify(tokens.idToken, jwks, { audience: rp.clientId });
      assert.equal(protectedHeader.alg, version === '1.7.0' ? 'PS256' : 'RS256');
      assert.equal(decodeProtectedHeader(tokens.accessToken).alg, protectedHeader.alg);
      // Observed on 1.4.1 and 1.7.1: the tokens' issuer is the service URL, discovery's is the bare domain.
      assert.equal(idToken.iss, sandbox.serviceUrl);
      assert.equal(discovery.issuer, sandbox.domain);
      assert.equal(idToken['nonce'], 'n-0S6_WzA2Mj');
      assert.equal(idToken['acr'], 'mosip:idp:acr:generated-code');
      assert.equal(
        idToken['at_hash'],
        createHash('sha256').update(tokens.accessToken).digest().subarray(0, 16).toString('base64url'),
      );
      assert.ok(typeof idToken.sub === 'string' && typeof idToken['auth_time'] === 'number');

      const jws = await userinfo(discovery.userinfo_endpoint, tokens.accessToken);
      // The identity system signs the KYC with its own key, which e-Signet's JWKS does not list (observed).
      await assert.rejects(compactVerify(jws, jwks), /no applicable key/);
      const claims = decodeJwt(jws);
      assert.equal(claims['sub'], idToken.sub);
      assert.equal(typeof claims['name'], 'string');
      assert.equal(typeof claims['email'], 'string');
      assert.equal(claims['phone_number'] !== undefined, true, 'profile scope claims are released');
    });

    it('refuses a wrong OTP as auth_failed', async () => {
      const err = await rejection(
        loginWithOtp(
          sandbox.serviceUrl,
          authorizeUrl(sandbox, rp.clientId),
          sandbox.credentials.verificationIndividualId,
          '000000',
        ),
      );
      assert.equal(err.code, 'auth_failed');
    });

    it('refuses an unregistered redirect URI and an unknown client at oauth-details', async () => {
      const wrongRedirect = await rejection(
        loginWithOtp(
          sandbox.serviceUrl,
          authorizeUrl(sandbox, rp.clientId, { redirect_uri: 'https://evil.example.org/cb' }),
          '1',
          '1',
        ),
      );
      assert.equal(wrongRedirect.code, 'invalid_redirect_uri');
      const unknown = await rejection(login(sandbox, 'no-such-client'));
      assert.equal(unknown.code, 'invalid_client_id');
    });

    it('refuses a client assertion signed with another key, or for another audience', async () => {
      const other = await generateKeyPair('RS256', { extractable: true });
      const issued = await login(sandbox, rp.clientId);
      const wrongKey = await rejection(
        exchangeCode(tokenEndpoint, {
          code: issued.code,
          clientId: rp.clientId,
          redirectUri: REDIRECT_URI,
          privateJwk: await exportJWK(other.privateKey),
          audience: tokenEndpoint,
        }),
      );
      assert.equal(wrongKey.code, codes.badAssertion);
      assert.equal(wrongKey.httpStatus, 400);
      const wrongAud = await rejection(
        exchangeCode(tokenEndpoint, {
          code: issued.code,
          clientId: rp.clientId,
          redirectUri: REDIRECT_URI,
          privateJwk: rp.privateJwk,
          audience: `${sandbox.serviceUrl}/oauth/token`,
        }),
      );
      assert.equal(wrongAud.code, codes.badAssertion);
      // A refused exchange leaves the code usable; the issuer is an accepted audience only from 1.7.0 on.
      const byIssuer = exchangeCode(tokenEndpoint, {
        code: issued.code,
        clientId: rp.clientId,
        redirectUri: REDIRECT_URI,
        privateJwk: rp.privateJwk,
        audience: sandbox.domain,
      });
      if (version === '1.7.0') assert.ok((await byIssuer).idToken);
      else assert.equal((await rejection(byIssuer)).code, codes.badAssertion);
    });

    it('accepts a code once, and only with the exact redirect_uri it was issued for', async () => {
      const issued = await login(sandbox, rp.clientId);
      const otherRedirect = await postToken(sandbox, {
        code: issued.code,
        redirect_uri: 'http://127.0.0.1:8069/auth_oauth/other',
        client_assertion: await assertion(rp, tokenEndpoint),
      });
      assert.equal(otherRedirect.status, 400);
      assert.equal(otherRedirect.body['error'], codes.redirect);
      assert.equal(otherRedirect.body['error_description'], 'invalid_redirect_uri');

      const first = await postToken(sandbox, {
        code: issued.code,
        client_assertion: await assertion(rp, tokenEndpoint),
      });
      assert.equal(first.status, 200);
      assert.equal(first.body['token_type'], 'Bearer');
      const replay = await postToken(sandbox, {
        code: issued.code,
        client_assertion: await assertion(rp, tokenEndpoint),
      });
      assert.equal(replay.status, 400);
      assert.equal(replay.body['error'], codes.usedCode);
      assert.equal(replay.headers.get('cache-control'), version === '1.7.0' ? 'no-store' : null);
    });

    it(version === '1.7.0' ? 'refuses a replayed assertion jti' : 'does not de-duplicate assertion jtis', async () => {
      const jti = randomUUID();
      const first = await postToken(sandbox, {
        code: (await login(sandbox, rp.clientId)).code,
        client_assertion: await assertion(rp, tokenEndpoint, jti),
      });
      assert.equal(first.status, 200);
      const second = await postToken(sandbox, {
        code: (await login(sandbox, rp.clientId)).code,
        client_assertion: await assertion(rp, tokenEndpoint, jti),
      });
      if (version === '1.7.0') assert.deepEqual([second.status, second.body['error']], [400, 'invalid_client']);
      else assert.equal(second.status, 200);
    });

    it('binds the code to the PKCE challenge given at authorize', async () => {
      const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
      const withoutVerifier = await postToken(sandbox, {
        code: (await login(sandbox, rp.clientId, pkce)).code,
        client_assertion: await assertion(rp, tokenEndpoint),
      });
      assert.equal(
        withoutVerifier.body['error_description'] ?? withoutVerifier.body['error'],
        'invalid_pkce_code_verifier',
      );
      const issued = await login(sandbox, rp.clientId, pkce);
      const tokens = await exchangeCode(tokenEndpoint, {
        code: issued.code,
        clientId: rp.clientId,
        redirectUri: REDIRECT_URI,
        privateJwk: rp.privateJwk,
        audience: tokenEndpoint,
        codeVerifier: verifier,
      });
      assert.ok(tokens.accessToken);
    });

    it('answers userinfo without a valid token with 401 and WWW-Authenticate', async () => {
      const url = `${sandbox.serviceUrl}/oidc/userinfo`;
      const missing = await fetch(url);
      assert.deepEqual([missing.status, missing.headers.get('www-authenticate')], [401, 'error="missing_header"']);
      assert.equal((await rejection(userinfo(url, 'forged.token.value'))).code, 'invalid_token');
    });

    it('requires the CSRF cookie/header pair and the oauth-details hash on the UI backend', async () => {
      const body = JSON.stringify({ requestTime: new Date().toISOString(), request: {} });
      const noCsrf = await fetch(`${sandbox.serviceUrl}/authorization/oauth-details`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(noCsrf.status, 403);
      const csrf = (await (await fetch(`${sandbox.serviceUrl}/csrf/token`)).json()) as { token: string };
      const headers = {
        'content-type': 'application/json',
        'x-xsrf-token': csrf.token,
        cookie: `XSRF-TOKEN=${csrf.token}`,
      };
      const request = {
        clientId: rp.clientId,
        scope: 'openid profile',
        responseType: 'code',
        redirectUri: REDIRECT_URI,
      };
      const details = (await (
        await fetch(`${sandbox.serviceUrl}/authorization/oauth-details`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ requestTime: new Date().toISOString(), request }),
        })
      ).json()) as { response: { transactionId: string } };
      const transactionId = details.response.transactionId;
      const otp = await fetch(`${sandbox.serviceUrl}/authorization/send-otp`, {
        method: 'POST',
        headers: { ...headers, 'oauth-details-key': transactionId, 'oauth-details-hash': 'tampered' },
        body: JSON.stringify({
          requestTime: new Date().toISOString(),
          request: { transactionId, individualId: '1', otpChannels: ['email'] },
        }),
      });
      assert.deepEqual(
        ((await otp.json()) as { errors: { errorCode: string }[] }).errors.map((e) => e.errorCode),
        ['invalid_request'],
      );
    });

    it('stops an INACTIVE client at oauth-details', async () => {
      const inactive = await registerClient(sandbox, `openg2p-inactive-${version}`);
      const token = await sandbox.tokenWithScopes(['update_oidc_client']);
      const record = sandbox.esignet.clients.get(inactive.clientId)!;
      await new EsignetClient(sandbox.serviceUrl).updateOidcClient(token, inactive.clientId, {
        clientName: record.clientName,
        logoUri: record.logoUri,
        redirectUris: record.redirectUris,
        userClaims: record.userClaims,
        authContextRefs: record.authContextRefs,
        status: 'INACTIVE',
        grantTypes: record.grantTypes,
        clientAuthMethods: record.clientAuthMethods,
      });
      assert.equal((await rejection(login(sandbox, inactive.clientId))).code, 'invalid_client_id');
    });
  });
}
