import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { EsignetClient, type OidcClientRegistration } from '../../src/clients/esignet.js';
import { ContractViolation, RemoteRejection } from '../../src/clients/errors.js';
import { startStandaloneEsignet, type StandaloneEsignet } from '../../sandbox/esignet/standalone.js';

async function rsaPublicJwk(): Promise<Record<string, unknown>> {
  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' };
}

async function registration(clientId: string): Promise<OidcClientRegistration> {
  return {
    clientId,
    clientName: 'OpenG2P Sandbox',
    publicKey: await rsaPublicJwk(),
    relyingPartyId: 'openg2p-auth-partner',
    userClaims: ['name', 'email', 'gender', 'birthdate', 'phone_number', 'address', 'picture'],
    authContextRefs: ['mosip:idp:acr:generated-code', 'mosip:idp:acr:biometrics'],
    logoUri: 'https://openg2p.example.org/logo.png',
    redirectUris: ['https://openg2p.example.org/auth_oauth/signin', 'io.openg2p.app://oauth'],
    grantTypes: ['authorization_code'],
    clientAuthMethods: ['private_key_jwt'],
  };
}

/** A raw client-management call, to assert on the envelope itself. */
async function rawCall(
  sandbox: StandaloneEsignet,
  method: string,
  path: string,
  token: string | undefined,
  body: unknown,
) {
  const res = await fetch(`${sandbox.serviceUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { response: unknown; errors: { errorCode: string; errorMessage: string }[] },
  };
}

const wrap = (request: unknown, requestTime = new Date().toISOString()) => ({ requestTime, request });

async function rejection(promise: Promise<unknown>): Promise<RemoteRejection> {
  const err = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RemoteRejection, `expected RemoteRejection, got ${String(err)}`);
  return err;
}

for (const version of ['1.4.1', '1.7.0'] as const) {
  describe(`e-Signet ${version} stand-in: discovery and client management`, () => {
    let sandbox: StandaloneEsignet;
    let client: EsignetClient;
    let adminToken: string;

    before(async () => {
      sandbox = await startStandaloneEsignet({ esignetVersion: version });
      client = new EsignetClient(sandbox.serviceUrl);
      adminToken = await sandbox.tokenWithScopes(['add_oidc_client', 'update_oidc_client']);
    });
    after(() => sandbox.close());

    it('serves discovery with the documented endpoints and a JWKS holding its RSA signing key', async () => {
      const discovery = await client.discovery();
      assert.equal(discovery.issuer, sandbox.domain);
      assert.equal(discovery.authorization_endpoint, `${sandbox.domain}/authorize`);
      assert.equal(discovery.token_endpoint, `${sandbox.serviceUrl}/oauth/v2/token`);
      assert.equal(discovery.userinfo_endpoint, `${sandbox.serviceUrl}/oidc/userinfo`);
      assert.equal(discovery.jwks_uri, `${sandbox.serviceUrl}/oauth/.well-known/jwks.json`);
      assert.deepEqual(discovery.token_endpoint_auth_methods_supported, ['private_key_jwt']);
      assert.ok(discovery.acr_values_supported?.includes('mosip:idp:acr:generated-code'));
      assert.ok(!discovery.acr_values_supported?.includes('mosip:idp:acr:id-token'));
      assert.deepEqual(
        discovery.token_endpoint_auth_signing_alg_values_supported,
        version === '1.7.0' ? ['RS256', 'PS256', 'ES256'] : ['RS256'],
      );
      for (const key of [
        'scopes_supported',
        'claims_supported',
        'subject_types_supported',
        'claims_parameter_supported',
      ]) {
        assert.ok(key in discovery, `discovery lacks ${key}`);
      }
      // PAR, PKCE and DPoP arrived with 1.7.0 (application-default.properties at the v1.5.1 and v1.7.1 tags).
      for (const key of [
        'pushed_authorization_request_endpoint',
        'code_challenge_methods_supported',
        'dpop_signing_alg_values_supported',
      ]) {
        assert.equal(key in discovery, version === '1.7.0', `${key} in discovery of ${version}`);
      }
      assert.equal('id_token_signed_response_alg' in discovery, false, 'named only after 1.7.x');
      const atRoot = await (await fetch(`${sandbox.domain}/.well-known/openid-configuration`)).json();
      assert.deepEqual(atRoot, discovery);

      const jwks = await client.jwks(discovery.jwks_uri);
      assert.equal(jwks.keys.length, 1);
      const [key] = jwks.keys;
      assert.equal(key!['kty'], 'RSA');
      assert.equal(typeof key!['kid'], 'string');
      assert.equal(typeof key!['n'], 'string');
      assert.ok(Array.isArray(key!['x5c']) && !('d' in key!));
    });

    it('creates a client as ACTIVE and stores only the public key parameters', async () => {
      const req = await registration(`openg2p-${version}-create`);
      const created = await client.createOidcClient(adminToken, {
        ...req,
        publicKey: { ...req.publicKey, d: 'not-stored' },
      });
      assert.deepEqual(created, { clientId: req.clientId, status: 'ACTIVE' });
      const record = sandbox.esignet.clients.get(req.clientId)!;
      assert.equal(record.status, 'ACTIVE');
      assert.deepEqual(Object.keys(record.publicKey).sort(), ['alg', 'e', 'kty', 'n', 'use']);
      assert.equal(sandbox.esignet.createCounts[req.clientId], 1);
    });

    it('refuses a second client with the same id as duplicate_client_id', async () => {
      const req = await registration(`openg2p-${version}-dup-id`);
      await client.createOidcClient(adminToken, req);
      const err = await rejection(client.createOidcClient(adminToken, { ...req, publicKey: await rsaPublicJwk() }));
      assert.equal(err.code, 'duplicate_client_id');
      assert.equal(sandbox.esignet.createCounts[req.clientId], 1);
    });

    it('refuses the same public key under another client id as duplicate_public_key', async () => {
      const first = await registration(`openg2p-${version}-key-a`);
      await client.createOidcClient(adminToken, first);
      const err = await rejection(
        client.createOidcClient(adminToken, {
          ...(await registration(`openg2p-${version}-key-b`)),
          publicKey: first.publicKey,
        }),
      );
      assert.equal(err.code, 'duplicate_public_key');
      assert.equal(sandbox.esignet.clients.has(`openg2p-${version}-key-b`), false);
    });

    it('reports every invalid field at once, HTTP 200 with one error per field', async () => {
      const bad = {
        clientId: 'has space',
        clientName: '',
        publicKey: {},
        relyingPartyId: '',
        userClaims: ['shoe_size'],
        authContextRefs: ['mosip:idp:acr:unknown'],
        logoUri: 'not a url',
        redirectUris: [],
        grantTypes: ['implicit'],
        clientAuthMethods: ['client_secret_basic'],
      };
      const { status, body } = await rawCall(sandbox, 'POST', '/client-mgmt/oidc-client', adminToken, wrap(bad));
      assert.equal(status, 200);
      assert.equal(body.response, null);
      const codes = new Set(body.errors.map((e) => e.errorCode));
      const grantCode = version === '1.7.0' ? 'unsupported_grant_type' : 'invalid_grant_type';
      for (const code of [
        'invalid_client_id',
        'invalid_client_name',
        'invalid_public_key',
        'invalid_rp_id',
        'invalid_claim',
        'invalid_acr',
        'invalid_uri',
        'invalid_redirect_uri',
        grantCode,
        'invalid_client_auth',
      ]) {
        assert.ok(codes.has(code), `missing ${code} in ${JSON.stringify(body.errors)}`);
      }
      assert.ok(body.errors.some((e) => e.errorMessage === 'request.clientId: invalid_client_id'));
      assert.equal(sandbox.esignet.clients.has('has space'), false);
    });

    it('refuses a key without RSA modulus as invalid_public_key, message = code', async () => {
      const req = await registration(`openg2p-${version}-badkey`);
      const { body } = await rawCall(
        sandbox,
        'POST',
        '/client-mgmt/oidc-client',
        adminToken,
        wrap({ ...req, publicKey: { kty: 'RSA', e: 'AQAB' } }),
      );
      assert.deepEqual(body.errors, [{ errorCode: 'invalid_public_key', errorMessage: 'invalid_public_key' }]);
    });

    it('accepts an EC key only from 1.7.0 on', async () => {
      const { publicKey } = await generateKeyPair('ES256', { extractable: true });
      const req = { ...(await registration(`openg2p-${version}-ec`)), publicKey: { ...(await exportJWK(publicKey)) } };
      if (version === '1.7.0') assert.equal((await client.createOidcClient(adminToken, req)).status, 'ACTIVE');
      else assert.equal((await rejection(client.createOidcClient(adminToken, req))).code, 'invalid_public_key');
    });

    it('answers 401 UNAUTHORIZED without a token and 403 FORBIDDEN without the scope', async () => {
      const req = await registration(`openg2p-${version}-auth`);
      const unauthenticated = await rawCall(sandbox, 'POST', '/client-mgmt/oidc-client', undefined, wrap(req));
      assert.equal(unauthenticated.status, 401);
      assert.deepEqual(unauthenticated.body.errors, [{ errorCode: 'UNAUTHORIZED', errorMessage: 'Unauthorized' }]);
      const updateOnly = await sandbox.tokenWithScopes(['update_oidc_client']);
      const err = await rejection(client.createOidcClient(updateOnly, req));
      assert.equal(err.code, 'FORBIDDEN');
      assert.equal(err.httpStatus, 403);
      const addOnly = await sandbox.tokenWithScopes(['add_oidc_client']);
      await client.createOidcClient(addOnly, req);
      const { clientId: _c, publicKey: _k, relyingPartyId: _r, ...settings } = req;
      assert.equal(
        (await rejection(client.updateOidcClient(addOnly, req.clientId, { ...settings, status: 'ACTIVE' }))).code,
        'FORBIDDEN',
      );
      assert.equal((await rejection(client.createOidcClient('not-a-jwt', req))).httpStatus, 401);
    });

    it('refuses a requestTime outside the ±2 minute window', async () => {
      const req = await registration(`openg2p-${version}-stale`);
      const stale = new Date(Date.now() - 3 * 60_000).toISOString();
      const { body } = await rawCall(sandbox, 'POST', '/client-mgmt/oidc-client', adminToken, wrap(req, stale));
      assert.deepEqual(body.errors, [{ errorCode: 'invalid_request', errorMessage: 'requestTime: invalid_request' }]);
      const noMillis = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      assert.equal(
        (await rawCall(sandbox, 'POST', '/client-mgmt/oidc-client', adminToken, wrap(req, noMillis))).body.errors[0]
          ?.errorCode,
        'invalid_request',
      );
      assert.equal(sandbox.esignet.clients.has(req.clientId), false);
    });

    it('replaces every updatable field on update and refuses unknown ids', async () => {
      const req = await registration(`openg2p-${version}-update`);
      await client.createOidcClient(adminToken, req);
      const updated = await client.updateOidcClient(adminToken, req.clientId, {
        clientName: 'OpenG2P renamed',
        logoUri: 'https://openg2p.example.org/new-logo.png',
        redirectUris: ['http://localhost:8069/auth_oauth/signin'],
        userClaims: ['name'],
        authContextRefs: ['mosip:idp:acr:static-code'],
        status: 'INACTIVE',
        grantTypes: ['authorization_code'],
        clientAuthMethods: ['private_key_jwt'],
      });
      assert.deepEqual(updated, { clientId: req.clientId, status: 'INACTIVE' });
      const record = sandbox.esignet.clients.get(req.clientId)!;
      assert.deepEqual(record.redirectUris, ['http://localhost:8069/auth_oauth/signin']);
      assert.deepEqual(record.userClaims, ['name']);
      assert.equal(record.clientName, 'OpenG2P renamed');
      assert.equal(record.publicKey['n'], req.publicKey['n']);

      const { clientId: _c, publicKey: _k, relyingPartyId: _r, ...settings } = req;
      const unknown = await rejection(
        client.updateOidcClient(adminToken, 'no-such-client', { ...settings, status: 'ACTIVE' }),
      );
      assert.equal(unknown.code, 'invalid_client_id');
      const { body } = await rawCall(
        sandbox,
        'PUT',
        `/client-mgmt/oidc-client/${req.clientId}`,
        adminToken,
        wrap({ ...settings, userClaims: [] }),
      );
      assert.deepEqual(body.errors.map((e) => e.errorCode).sort(), ['invalid_claim', 'invalid_status']);
    });

    it(
      version === '1.7.0' ? 'serves the V3 /client API and validates additionalConfig' : 'has no V3 /client API (404)',
      async () => {
        const req = await registration(`openg2p-${version}-v3`);
        if (version === '1.4.1') {
          const err = await client.createOidcClient(adminToken, req, 'client').catch((e: unknown) => e);
          assert.ok(err instanceof ContractViolation);
          // The V2 API of 1.4.1 requires the language map.
          const { body } = await rawCall(sandbox, 'POST', '/client-mgmt/oauth-client', adminToken, wrap(req));
          assert.deepEqual(
            body.errors.map((e) => e.errorCode),
            ['invalid_client_name'],
          );
          return;
        }
        const { body } = await rawCall(
          sandbox,
          'POST',
          '/client-mgmt/client',
          adminToken,
          wrap({ ...req, additionalConfig: { consent_expire_in_mins: 5 } }),
        );
        assert.deepEqual(
          body.errors.map((e) => e.errorCode),
          ['invalid_additional_config'],
        );
        const names = await rawCall(
          sandbox,
          'POST',
          '/client-mgmt/client',
          adminToken,
          wrap({ ...req, clientNameLangMap: { xx: 'Nom', fra: ' ', eng: 'n'.repeat(51) } }),
        );
        assert.deepEqual(names.body.errors.map((e) => e.errorCode).sort(), [
          'invalid_client_name_length',
          'invalid_client_name_value',
          'invalid_language_code',
        ]);
        assert.equal((await client.createOidcClient(adminToken, req, 'client')).status, 'ACTIVE');
        assert.equal(sandbox.esignet.clients.get(req.clientId)!.clientNameLangMap?.['@none'], req.clientName);
      },
    );
  });
}
