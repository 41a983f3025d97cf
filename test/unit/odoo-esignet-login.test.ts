import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'undici';
import { EsignetClient } from '../../src/clients/esignet.js';
import { loginWithOtp } from '../../src/clients/esignet-login.js';
import { OdooClient } from '../../src/clients/odoo.js';
import { startStandaloneEsignet, type StandaloneEsignet } from '../../sandbox/esignet/standalone.js';
import { startOdooSandbox, type StandaloneOdoo } from '../../sandbox/odoo/standalone.js';
import type { EsignetRelease } from '../../sandbox/context.js';

const PROVIDER = 'auth.oauth.provider';

function rsaKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    pemBase64: Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).toString('base64'),
    publicJwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
  };
}

interface Pair {
  odooVersion: 15 | 17;
  esignetVersion: EsignetRelease;
  modules?: Record<string, string>;
  /** For a pair the compatibility table refuses: the oauth_error and what OpenG2P would log. */
  refused?: { oauthError: 1 | 2; reason: RegExp };
}

const PAIRS: Pair[] = [
  { odooVersion: 15, esignetVersion: '1.5.1' },
  { odooVersion: 17, esignetVersion: '1.5.1' },
  // e-Signet 1.6+ wants a jti in the client assertion; OpenG2P sends none.
  { odooVersion: 15, esignetVersion: '1.6.2', refused: { oauthError: 2, reason: /HTTP 400.*invalid_assertion/ } },
  { odooVersion: 15, esignetVersion: '1.7.1', refused: { oauthError: 2, reason: /HTTP 400.*invalid_client/ } },
  { odooVersion: 17, esignetVersion: '1.7.1', refused: { oauthError: 2, reason: /HTTP 400.*invalid_client/ } },
  // g2p_auth_id_oidc 15.0.1.1.0 calls the _get_key auth_oidc 15.0.1.1.0 renamed.
  {
    odooVersion: 15,
    esignetVersion: '1.5.1',
    modules: { auth_oidc: '15.0.1.1.0' },
    refused: { oauthError: 1, reason: /AttributeError: .*_get_key/ },
  },
];

for (const pair of PAIRS) {
  const { odooVersion, esignetVersion } = pair;
  const modules = pair.modules
    ? ` (${Object.entries(pair.modules)
        .map(([m, v]) => `${m} ${v}`)
        .join(', ')})`
    : '';
  const what = pair.refused
    ? `cannot log a resident in through e-Signet ${esignetVersion}, as for real`
    : `logs a resident in through the e-Signet ${esignetVersion} stand-in`;
  describe(`OpenG2P on Odoo ${odooVersion}${modules} ${what}`, () => {
    let esignet: StandaloneEsignet;
    let sandbox: StandaloneOdoo;
    let odoo: OdooClient;
    let uid: number;
    let password: string;
    const registered = rsaKey();

    before(async () => {
      esignet = await startStandaloneEsignet({ esignetVersion });
      sandbox = await startOdooSandbox({ odooVersion, openg2pModuleVersions: pair.modules });
      odoo = new OdooClient(sandbox.url, sandbox.credentials.odooDatabase);
      password = sandbox.credentials.odooPassword;
      uid = await odoo.authenticate(sandbox.credentials.odooLogin, password);
      // As configureOpenG2P does: e-Signet's userinfo reads the bearer header only.
      await odoo.executeKw(uid, password, 'ir.config_parameter', 'set_param', [
        'auth_oauth.authorization_header',
        'True',
      ]);
    });
    after(async () => {
      await sandbox.close();
      await esignet.close();
    });

    async function configure(name: string, clientId: string, privateKeyBase64: string): Promise<number> {
      const discovery = await new EsignetClient(esignet.serviceUrl).discovery();
      const portal = await odoo.xmlIdToResId(uid, password, 'base.group_portal');
      const [idType] = await odoo.searchRead(uid, password, 'g2p.id.type', [['name', '=', 'MOSIP PSUT']], ['id'], 1);
      const common = {
        name,
        body: `Sign in with ${name}`,
        enabled: true,
        client_id: clientId,
        client_authentication_method: 'private_key_jwt',
        client_private_key: privateKeyBase64,
        auth_endpoint: discovery.authorization_endpoint,
        token_endpoint: discovery.token_endpoint,
        validation_endpoint: discovery.userinfo_endpoint,
        jwks_uri: discovery.jwks_uri,
        scope: 'openid profile',
        g2p_id_type: idType!.id,
        extra_authorize_params: JSON.stringify({
          acr_values: 'mosip:idp:acr:generated-code',
          claims: JSON.stringify({ userinfo: { name: { essential: true }, email: { essential: true } } }),
        }),
      };
      const generation =
        odooVersion === 15
          ? {
              flow: 'id_token_code',
              token_map: 'sub:user_id',
              assertion_type: 'jwt-bearer',
              g2p_oidc_id_to_use: true,
              partner_creation_call_validate_url: true,
              default_group_user_creation: portal,
              login_attribute_mapping_on_user_creation: 'email',
              partner_creation_validate_response_mapping:
                'name:name email:email phone_number:phone birthdate:birthdate gender:gender address:address',
            }
          : { flow: 'oidc_auth_code', signup_default_groups: [[6, 0, [portal]]] };
      return odoo.create(uid, password, PROVIDER, { ...common, ...generation });
    }

    async function registerClient(clientId: string): Promise<void> {
      await new EsignetClient(esignet.serviceUrl).createOidcClient(await esignet.tokenWithScopes(['add_oidc_client']), {
        clientId,
        clientName: 'OpenG2P',
        publicKey: { ...registered.publicJwk, alg: 'RS256', use: 'sig' },
        relyingPartyId: 'openg2p',
        userClaims: ['name', 'email', 'gender', 'birthdate', 'phone_number', 'address'],
        authContextRefs: ['mosip:idp:acr:generated-code'],
        logoUri: 'https://openg2p.example.org/logo.png',
        redirectUris: [`${sandbox.url}/auth_oauth/signin`],
        grantTypes: ['authorization_code'],
        clientAuthMethods: ['private_key_jwt'],
      });
    }

    async function residentLogsInWith(label: string) {
      const button = (await odoo.loginPageProviders()).find((b) => b.label === label);
      assert.ok(button, `no "${label}" button on the login page`);
      const { code, state, redirectUri } = await loginWithOtp(
        esignet.serviceUrl,
        button.authLink,
        esignet.credentials.verificationIndividualId,
        esignet.credentials.verificationOtp,
      );
      const callback = new URL(redirectUri);
      callback.search = new URLSearchParams({ code, state }).toString();
      const res = await request(callback.toString(), { method: 'GET' });
      await res.body.dump();
      return { status: res.statusCode, location: String(res.headers.location ?? '') };
    }

    if (pair.refused) {
      const { oauthError, reason } = pair.refused;
      test(`the login ends on oauth_error=${oauthError} (${reason.source})`, async () => {
        await registerClient(`openg2p-${odooVersion}`);
        await configure('e-Signet', `openg2p-${odooVersion}`, registered.pemBase64);
        const outcome = await residentLogsInWith('Sign in with e-Signet');
        assert.equal(outcome.location, `/web/login?oauth_error=${oauthError}`);
        assert.match(sandbox.odoo.lastSigninError ?? '', reason);
        assert.equal(sandbox.odoo.logins.length, 0);
      });
      return;
    }

    test('with the registered key the resident lands in OpenG2P as a new portal user', async () => {
      await registerClient(`openg2p-${odooVersion}`);
      const providerId = await configure('e-Signet', `openg2p-${odooVersion}`, registered.pemBase64);
      const outcome = await residentLogsInWith('Sign in with e-Signet');
      assert.equal(outcome.status, 303);
      assert.equal(outcome.location, '/', sandbox.odoo.lastSigninError);
      assert.deepEqual(
        sandbox.odoo.logins.map((l) => [l.providerId, l.login]),
        [[providerId, 'resident@sandbox.mosip.test']],
      );
    });

    test('with a key e-Signet does not know the login ends on oauth_error=2', async () => {
      await configure('Stale key', `openg2p-${odooVersion}`, rsaKey().pemBase64);
      const outcome = await residentLogsInWith('Sign in with Stale key');
      assert.equal(outcome.location, '/web/login?oauth_error=2');
      assert.match(sandbox.odoo.lastSigninError ?? '', /invalid_assertion/);
    });
  });
}
