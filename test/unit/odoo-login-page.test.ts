import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { OdooClient } from '../../src/clients/odoo.js';
import { startOdooSandbox, type StandaloneOdoo } from '../../sandbox/odoo/standalone.js';

const PROVIDER = 'auth.oauth.provider';
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

async function adminSession(sandbox: StandaloneOdoo) {
  const odoo = new OdooClient(sandbox.url, sandbox.credentials.odooDatabase);
  const password = sandbox.credentials.odooPassword;
  return { odoo, password, uid: await odoo.authenticate(sandbox.credentials.odooLogin, password) };
}

describe('OpenG2P 1.x login page', () => {
  let sandbox: StandaloneOdoo;

  before(async () => {
    sandbox = await startOdooSandbox({ odooVersion: 15 });
  });
  after(() => sandbox.close());

  test('lists enabled providers by sequence with the OIDC authorize link, and hides disabled ones', async () => {
    const { odoo, uid, password } = await adminSession(sandbox);
    const common = {
      flow: 'id_token_code',
      client_authentication_method: 'private_key_jwt',
      client_id: 'client-abc',
      scope: 'openid profile',
    };
    const esignetId = await odoo.create(uid, password, PROVIDER, {
      ...common,
      name: 'e-Signet',
      body: 'Login with e-Signet & MOSIP',
      enabled: true,
      sequence: 20,
      auth_endpoint: 'https://esignet.example.org/authorize',
      extra_authorize_params: JSON.stringify({
        acr_values: 'mosip:idp:acr:generated-code',
        claims: '{"userinfo":{"name":{"essential":true}}}',
      }),
    });
    await odoo.create(uid, password, PROVIDER, {
      ...common,
      name: 'Disabled',
      body: 'Hidden button',
      enabled: false,
      auth_endpoint: 'https://hidden.example/authorize',
    });
    await odoo.create(uid, password, PROVIDER, {
      name: 'First',
      body: 'Plain OAuth2',
      enabled: true,
      sequence: 5,
      auth_endpoint: 'https://first.example/auth',
    });

    const buttons = await odoo.loginPageProviders();
    assert.deepEqual(
      buttons.map((b) => b.label),
      ['Plain OAuth2', 'Login with e-Signet & MOSIP'],
    );

    const link = new URL(buttons[1]!.authLink);
    assert.equal(`${link.origin}${link.pathname}`, 'https://esignet.example.org/authorize');
    const q = link.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), 'client-abc');
    assert.equal(q.get('redirect_uri'), `${sandbox.url}/auth_oauth/signin`);
    assert.equal(q.get('scope'), 'openid profile');
    assert.equal(q.get('acr_values'), 'mosip:idp:acr:generated-code');
    assert.equal(q.get('claims'), '{"userinfo":{"name":{"essential":true}}}');
    assert.match(q.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
    const [stored] = await odoo.searchRead<{ code_verifier: string }>(
      uid,
      password,
      PROVIDER,
      [['id', '=', esignetId]],
      ['code_verifier'],
    );
    assert.equal(q.get('code_challenge'), s256(stored!.code_verifier));
    assert.equal(q.get('code_challenge_method'), 'S256');
    // Python's json.dumps with default separators, as the Odoo 15 controller writes the state.
    assert.equal(
      q.get('state'),
      `{"d": "openg2p", "p": ${esignetId}, "r": "${encodeURIComponent(`${sandbox.url}/web`)}"}`,
    );

    const plain = new URL(buttons[0]!.authLink).searchParams;
    assert.equal(plain.get('response_type'), 'token');
    assert.equal(plain.get('code_challenge'), null);
  });

  test('a provider whose extra authorize params are not JSON breaks the login page', async () => {
    const { odoo, uid, password } = await adminSession(sandbox);
    const id = await odoo.create(uid, password, PROVIDER, {
      name: 'Broken',
      body: 'Broken',
      enabled: true,
      flow: 'id_token_code',
      auth_endpoint: 'https://x.example/authorize',
      extra_authorize_params: 'acr=1',
    });
    await assert.rejects(odoo.loginPageProviders(), { name: 'TransientRemoteError', httpStatus: 500 });
    await odoo.write(uid, password, PROVIDER, [id], { enabled: false });
    assert.equal((await odoo.loginPageProviders()).length, 2);
  });
});

describe('OpenG2P 1.2+ login page', () => {
  test('writes a compact state and adds PKCE only when enabled', async () => {
    const sandbox = await startOdooSandbox({ odooVersion: 17 });
    try {
      const { odoo, uid, password } = await adminSession(sandbox);
      const id = await odoo.create(uid, password, PROVIDER, {
        name: 'e-Signet',
        body: 'Login with e-Signet',
        enabled: true,
        flow: 'oidc_auth_code',
        client_id: 'c17',
        client_authentication_method: 'private_key_jwt',
        auth_endpoint: 'https://esignet.example.org/authorize',
        enable_pkce: false,
      });
      const [button] = await odoo.loginPageProviders();
      const q = new URL(button!.authLink).searchParams;
      assert.equal(q.get('state'), `{"d":"openg2p","p":${id},"r":"${encodeURIComponent(`${sandbox.url}/web`)}"}`);
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('scope'), 'openid profile email');
      assert.equal(q.get('code_challenge'), null);
      assert.ok(q.get('nonce'));
    } finally {
      await sandbox.close();
    }
  });
});
