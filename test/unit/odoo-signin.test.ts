import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { request } from 'undici';
import { SignJWT, exportJWK, generateKeyPair, importSPKI, jwtVerify, type CryptoKey } from 'jose';
import { OdooClient } from '../../src/clients/odoo.js';
import { SandboxService, json, type Route, type SandboxResponse } from '../../sandbox/router.js';
import { startOdooSandbox, type StandaloneOdoo } from '../../sandbox/odoo/standalone.js';

const PROVIDER = 'auth.oauth.provider';
const CLIENT_ID = 'openg2p-client';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function rsaPemBase64(): { pemBase64: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    pemBase64: Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).toString('base64'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

interface IssuedCode {
  codeChallenge: string;
  redirectUri: string;
  sub: string;
}

/** A minimal e-Signet-like IdP: private_key_jwt token endpoint with PKCE, signed userinfo, JWKS. */
class FakeIdp {
  readonly codes = new Map<string, IssuedCode>();
  readonly userinfo = new Map<string, Record<string, unknown>>();
  url = '';
  private service?: SandboxService;
  private constructor(
    private readonly signingKey: CryptoKey,
    private readonly jwks: object,
    private readonly clientPublicKeyPem: string,
  ) {}

  static async start(clientPublicKeyPem: string): Promise<FakeIdp> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const idp = new FakeIdp(
      privateKey,
      { keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', use: 'sig', alg: 'RS256' }] },
      clientPublicKeyPem,
    );
    idp.service = new SandboxService('idp', idp.routes(), []);
    idp.url = await idp.service.listen(0);
    return idp;
  }

  get tokenEndpoint() {
    return `${this.url}/oauth/v2/token`;
  }

  close() {
    return this.service!.close();
  }

  private sign(claims: Record<string, unknown>, audience: string) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setIssuer(this.url)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(this.signingKey);
  }

  /** The claim names of every client assertion received. */
  readonly assertionClaims: string[][] = [];

  private routes(): Route[] {
    const oauthError = (error: string) => json({ error, error_description: error }, 400);
    return [
      { method: 'GET', path: '/jwks.json', handler: () => json(this.jwks) },
      {
        method: 'POST',
        path: '/oauth/v2/token',
        handler: async (req) => {
          const form = req.form;
          const issued = this.codes.get(form.get('code') ?? '');
          if (form.get('grant_type') !== 'authorization_code') return oauthError('unsupported_grant_type');
          if (!issued) return oauthError('invalid_grant');
          if (form.get('redirect_uri') !== issued.redirectUri) return oauthError('invalid_request');
          const verifier = form.get('code_verifier') ?? '';
          if (createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge)
            return oauthError('invalid_grant');
          if (form.get('client_assertion_type') !== ASSERTION_TYPE) return oauthError('invalid_client');
          try {
            const { payload } = await jwtVerify(
              form.get('client_assertion') ?? '',
              await importSPKI(this.clientPublicKeyPem, 'RS256'),
              {
                issuer: CLIENT_ID,
                subject: CLIENT_ID,
                audience: this.tokenEndpoint,
                algorithms: ['RS256'],
              },
            );
            // As e-Signet before 1.6.0: exp and iat required, jti not (OpenG2P sends none).
            this.assertionClaims.push(Object.keys(payload));
            if (!payload.exp || !payload.iat) return oauthError('invalid_client');
          } catch {
            return oauthError('invalid_client');
          }
          this.codes.delete(form.get('code')!);
          const accessToken = await this.sign({ sub: issued.sub, client_id: CLIENT_ID }, CLIENT_ID);
          const idToken = await this.sign({ sub: issued.sub }, CLIENT_ID);
          this.userinfo.set(accessToken, {
            sub: issued.sub,
            name: 'Asha Rao',
            email: 'asha@example.org',
            birthdate: '1990/01/15',
            gender: 'female',
          });
          return json({ access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: 3600 });
        },
      },
      {
        method: 'GET',
        path: '/oidc/userinfo',
        handler: async (req): Promise<SandboxResponse> => {
          const claims = this.userinfo.get(String(req.headers.authorization ?? '').replace(/^Bearer /, ''));
          if (!claims) return { status: 401, headers: { 'www-authenticate': 'error="invalid_token"' } };
          return {
            status: 200,
            headers: { 'content-type': 'application/jwt' },
            body: await this.sign(claims, CLIENT_ID),
          };
        },
      },
    ];
  }
}

async function get(url: string) {
  const res = await request(url, { method: 'GET' });
  await res.body.dump();
  return {
    status: res.statusCode,
    location: String(res.headers.location ?? ''),
    cookie: String(res.headers['set-cookie'] ?? ''),
  };
}

describe('OpenG2P 1.x completes an e-Signet login at /auth_oauth/signin', () => {
  let sandbox: StandaloneOdoo;
  let idp: FakeIdp;
  let odoo: OdooClient;
  let uid: number;
  let password: string;
  let portalGroupId: number;
  const goodKey = rsaPemBase64();
  const wrongKey = rsaPemBase64();

  before(async () => {
    sandbox = await startOdooSandbox({ odooVersion: 15 });
    idp = await FakeIdp.start(goodKey.publicKeyPem);
    odoo = new OdooClient(sandbox.url, sandbox.credentials.odooDatabase);
    password = sandbox.credentials.odooPassword;
    uid = await odoo.authenticate(sandbox.credentials.odooLogin, password);
    portalGroupId = (await odoo.xmlIdToResId(uid, password, 'base.group_portal'))!;
    // As configureOpenG2P does: without it Odoo sends the userinfo token as a query parameter.
    await odoo.executeKw(uid, password, 'ir.config_parameter', 'set_param', [
      'auth_oauth.authorization_header',
      'True',
    ]);
  });
  after(async () => {
    await sandbox.close();
    await idp.close();
  });

  async function createProvider(
    name: string,
    privateKeyBase64: string,
    extra: Record<string, unknown> = {},
  ): Promise<number> {
    const [idType] = await odoo.searchRead(uid, password, 'g2p.id.type', [['name', '=', 'MOSIP UIN']], ['id'], 1);
    return odoo.create(uid, password, PROVIDER, {
      name,
      body: `Login with ${name}`,
      enabled: true,
      client_id: CLIENT_ID,
      flow: 'id_token_code',
      token_map: 'sub:user_id',
      client_authentication_method: 'private_key_jwt',
      assertion_type: 'jwt-bearer',
      client_private_key: privateKeyBase64,
      auth_endpoint: `${idp.url}/authorize`,
      token_endpoint: idp.tokenEndpoint,
      validation_endpoint: `${idp.url}/oidc/userinfo`,
      jwks_uri: `${idp.url}/jwks.json`,
      scope: 'openid profile',
      g2p_oidc_id_to_use: true,
      g2p_id_type: idType!.id,
      partner_creation_call_validate_url: true,
      partner_creation_validate_response_mapping:
        'name:name email:email phone:phone_number birthdate:birthdate gender:gender address:address',
      default_group_user_creation: portalGroupId,
      login_attribute_mapping_on_user_creation: 'email',
      ...extra,
    });
  }

  /** Plays the browser: click the provider's button, let the IdP issue a code for it, come back to Odoo. */
  async function loginThrough(label: string, sub: string) {
    const button = (await odoo.loginPageProviders()).find((b) => b.label === label);
    assert.ok(button, `no login button "${label}"`);
    const authorize = new URL(button.authLink).searchParams;
    const code = randomUUID();
    idp.codes.set(code, {
      codeChallenge: authorize.get('code_challenge')!,
      redirectUri: authorize.get('redirect_uri')!,
      sub,
    });
    const callback = new URL(authorize.get('redirect_uri')!);
    callback.search = new URLSearchParams({ code, state: authorize.get('state')! }).toString();
    return get(callback.toString());
  }

  test('a provider holding the registered key logs the registrant in as a portal user named by email', async () => {
    const providerId = await createProvider('e-Signet', goodKey.pemBase64);
    const outcome = await loginThrough('Login with e-Signet', 'psut-1001');
    assert.equal(outcome.status, 303);
    // Portal users are not internal users: Odoo sends them to / rather than /web.
    assert.equal(outcome.location, '/');
    assert.match(outcome.cookie, /^session_id=[0-9a-f]{40};/);
    assert.deepEqual(
      sandbox.odoo.logins.map(({ providerId: p, login }) => ({ p, login })),
      [{ p: providerId, login: 'asha@example.org' }],
    );
    const [user] = await odoo.searchRead<{ groups_id: number[]; oauth_provider_id: unknown }>(
      uid,
      password,
      'res.users',
      [['login', '=', 'asha@example.org']],
      ['groups_id', 'oauth_provider_id', 'oauth_uid'],
    );
    assert.deepEqual(user?.groups_id, [portalGroupId]);
    assert.deepEqual(user?.oauth_provider_id, [providerId, 'e-Signet']);
    // OpenG2P's assertion (auth_oidc create_private_key_jwt): no jti, which e-Signet 1.6+ refuses.
    assert.deepEqual(idp.assertionClaims.at(-1)?.sort(), ['aud', 'exp', 'iat', 'iss', 'sub']);
  });

  test('the same registrant coming back reuses the account', async () => {
    const outcome = await loginThrough('Login with e-Signet', 'psut-1001');
    assert.equal(outcome.status, 303);
    assert.equal(sandbox.odoo.logins.length, 2);
    const users = await odoo.searchRead(uid, password, 'res.users', [['oauth_uid', '=', 'psut-1001']], ['login']);
    assert.equal(users.length, 1);
  });

  test('a provider holding another key is turned away by the token endpoint and Odoo shows oauth_error=2', async () => {
    await createProvider('Wrong key', wrongKey.pemBase64);
    const before = sandbox.odoo.logins.length;
    const outcome = await loginThrough('Login with Wrong key', 'psut-2002');
    assert.equal(outcome.status, 303);
    assert.equal(outcome.location, '/web/login?oauth_error=2');
    assert.equal(sandbox.odoo.logins.length, before);
    assert.match(sandbox.odoo.lastSigninError ?? '', /token endpoint .* HTTP 400: .*invalid_client/);
  });

  test('a birthdate format that does not match the userinfo fails the login', async () => {
    await createProvider('Dash dates', goodKey.pemBase64, { partner_creation_date_format: '%Y-%m-%d' });
    const outcome = await loginThrough('Login with Dash dates', 'psut-3003');
    assert.equal(outcome.location, '/web/login?oauth_error=2');
    assert.match(sandbox.odoo.lastSigninError ?? '', /time data '1990\/01\/15' does not match format '%Y-%m-%d'/);
  });

  test('without "Use G2P Reg ID" an unknown registrant is denied (oauth_error=3)', async () => {
    await createProvider('No reg id', goodKey.pemBase64, { g2p_oidc_id_to_use: false });
    const outcome = await loginThrough('Login with No reg id', 'psut-4004');
    assert.equal(outcome.location, '/web/login?oauth_error=3');
  });
});
