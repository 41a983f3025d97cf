// What changes between the e-Signet releases the stand-in serves, as the sources and the observed
// servers say (shared/reference/esignet.md, "Observed on running servers"): the assertion's jti,
// the token signing algorithm, the build version at /actuator/info, send-otp before authenticate.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { EsignetClient } from '../../src/clients/esignet.js';
import { detectEsignetVersion, reconcileEsignetVersion } from '../../src/clients/esignet-version.js';
import { loginWithOtp } from '../../src/clients/esignet-login.js';
import { RemoteRejection } from '../../src/clients/errors.js';
import { startStandaloneEsignet, type StandaloneEsignet } from '../../sandbox/esignet/standalone.js';
import type { EsignetRelease } from '../../sandbox/context.js';

const REDIRECT_URI = 'http://127.0.0.1:8069/auth_oauth/signin';

async function setUp(sandbox: StandaloneEsignet) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const clientId = `rp-${randomUUID().slice(0, 8)}`;
  const token = await sandbox.tokenWithScopes(['add_oidc_client']);
  await new EsignetClient(sandbox.serviceUrl).createOidcClient(token, {
    clientId,
    clientName: 'OpenG2P',
    publicKey: { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' },
    relyingPartyId: 'openg2p-rp',
    userClaims: ['name', 'email'],
    authContextRefs: ['mosip:idp:acr:generated-code'],
    logoUri: 'https://openg2p.example.org/logo.png',
    redirectUris: ['http://127.0.0.1:8069/**'],
    grantTypes: ['authorization_code'],
    clientAuthMethods: ['private_key_jwt'],
  });
  return { clientId, privateJwk: await exportJWK(privateKey) };
}

function authorizeUrl(sandbox: StandaloneEsignet, clientId: string): string {
  const url = new URL(`${sandbox.domain}/authorize`);
  const params = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    acr_values: 'mosip:idp:acr:generated-code',
    state: 's',
    nonce: 'n',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** OpenG2P's assertion: RS256, iss, sub, aud, iat, exp, and (here optionally) jti. */
async function assertion(clientId: string, privateJwk: JWK, audience: string, jti: boolean): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('1h');
  if (jti) jwt.setJti(randomUUID());
  return jwt.sign(await importJWK(privateJwk, 'RS256'));
}

const EXPECTED: Record<
  EsignetRelease,
  { withoutJti: string | undefined; alg: 'RS256' | 'PS256'; build: string | undefined; discovery: string }
> = {
  '1.4.1': { withoutJti: undefined, alg: 'RS256', build: undefined, discovery: 'before 1.7.0' },
  '1.5.1': { withoutJti: undefined, alg: 'RS256', build: '1.5.1', discovery: 'before 1.7.0' },
  '1.6.2': { withoutJti: 'invalid_assertion', alg: 'RS256', build: '1.6.2', discovery: 'before 1.7.0' },
  '1.7.0': { withoutJti: 'invalid_client', alg: 'PS256', build: '1.7.0', discovery: '1.7.x' },
  '1.7.1': { withoutJti: 'invalid_client', alg: 'PS256', build: '1.7.1', discovery: '1.7.x' },
};

for (const [release, expected] of Object.entries(EXPECTED) as [EsignetRelease, (typeof EXPECTED)[EsignetRelease]][]) {
  describe(`e-Signet ${release} stand-in`, () => {
    let sandbox: StandaloneEsignet;
    let rp: { clientId: string; privateJwk: JWK };
    let tokenEndpoint: string;
    before(async () => {
      sandbox = await startStandaloneEsignet({ esignetVersion: release });
      rp = await setUp(sandbox);
      tokenEndpoint = (await new EsignetClient(sandbox.serviceUrl).discovery()).token_endpoint;
    });
    after(() => sandbox.close());

    const exchange = async (jti: boolean) => {
      const issued = await loginWithOtp(
        sandbox.serviceUrl,
        authorizeUrl(sandbox, rp.clientId),
        sandbox.credentials.verificationIndividualId,
        sandbox.credentials.verificationOtp,
      );
      const res = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: issued.code,
          redirect_uri: REDIRECT_URI,
          client_id: rp.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await assertion(rp.clientId, rp.privateJwk, tokenEndpoint, jti),
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };

    it(
      expected.withoutJti
        ? `refuses a client assertion without jti (HTTP 400 ${expected.withoutJti})`
        : 'accepts a client assertion without jti',
      async () => {
        const answer = await exchange(false);
        if (expected.withoutJti) {
          assert.equal(answer.status, 400);
          assert.equal(answer.body['error'], expected.withoutJti);
        } else assert.equal(answer.status, 200);
      },
    );

    it(`signs id_token and access token ${expected.alg}`, async () => {
      const answer = await exchange(true);
      assert.equal(answer.status, 200);
      assert.equal(decodeProtectedHeader(answer.body['id_token']!).alg, expected.alg);
      assert.equal(decodeProtectedHeader(answer.body['access_token']!).alg, expected.alg);
    });

    it(`tells its release: ${expected.build ? `build ${expected.build} at /actuator/info` : 'no /actuator/info'}, discovery ${expected.discovery}`, async () => {
      const info = await fetch(`${sandbox.serviceUrl}/actuator/info`);
      assert.equal(info.status, expected.build ? 200 : 404);
      const discovery = await new EsignetClient(sandbox.serviceUrl).discovery();
      const detected = await detectEsignetVersion(sandbox.serviceUrl, discovery);
      assert.equal(detected.exact, expected.build);
      assert.match(detected.how, expected.build ? /actuator\/info reports build/ : /before 1\.7\.0/);
      // The spec's version is checked against it, never trusted alone.
      const wrong = release.startsWith('1.7') ? '1.4.1' : '1.7.1';
      assert.match(
        reconcileEsignetVersion(wrong, detected).mismatch ?? '',
        new RegExp(`spec says esignet.version ${wrong}`),
      );
      assert.equal(reconcileEsignetVersion(release, detected).mismatch, undefined);
    });

    it('authenticates an OTP only after send-otp in the same transaction', async () => {
      const csrf = (await (await fetch(`${sandbox.serviceUrl}/csrf/token`)).json()) as { token: string };
      const headers = {
        'content-type': 'application/json',
        'x-xsrf-token': csrf.token,
        cookie: `XSRF-TOKEN=${csrf.token}`,
      };
      const post = async (path: string, request: unknown, extra: Record<string, string> = {}) =>
        (await (
          await fetch(`${sandbox.serviceUrl}/authorization/${path}`, {
            method: 'POST',
            headers: { ...headers, ...extra },
            body: JSON.stringify({ requestTime: new Date().toISOString(), request }),
          })
        ).json()) as { response: Record<string, unknown> | null; errors: { errorCode: string }[] };
      const details = await post('v2/oauth-details', {
        clientId: rp.clientId,
        scope: 'openid profile',
        responseType: 'code',
        redirectUri: REDIRECT_URI,
        acrValues: 'mosip:idp:acr:generated-code',
      });
      const { createHash } = await import('node:crypto');
      const transactionId = details.response!['transactionId'] as string;
      const hash = createHash('sha256').update(JSON.stringify(details.response)).digest('base64url');
      const tx = { 'oauth-details-key': transactionId, 'oauth-details-hash': hash };
      const authenticate = await post(
        'v2/authenticate',
        {
          transactionId,
          individualId: sandbox.credentials.verificationIndividualId,
          challengeList: [
            { authFactorType: 'OTP', challenge: sandbox.credentials.verificationOtp, format: 'alpha-numeric' },
          ],
        },
        tx,
      );
      assert.deepEqual(
        authenticate.errors.map((e) => e.errorCode),
        ['auth_failed'],
      );
    });
  });
}

describe('a failing login step names its call', () => {
  let sandbox: StandaloneEsignet;
  before(async () => {
    sandbox = await startStandaloneEsignet({ esignetVersion: '1.7.1' });
  });
  after(() => sandbox.close());

  it('with method, full URL, HTTP status and the error code', async () => {
    const err = await loginWithOtp(sandbox.serviceUrl, authorizeUrl(sandbox, 'no-such-client'), '1', '1').then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RemoteRejection);
    assert.equal(err.code, 'invalid_client_id');
    assert.equal(
      err.message,
      `esignet invalid_client_id: POST ${sandbox.serviceUrl}/authorization/v2/oauth-details answered HTTP 200, error invalid_client_id: invalid_client_id`,
    );
  });
});
