import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { OdooClient } from '../../src/clients/odoo.js';
import { RemoteRejection } from '../../src/clients/errors.js';
import { startOdooSandbox, type StandaloneOdoo } from '../../sandbox/odoo/standalone.js';

const PROVIDER = 'auth.oauth.provider';
const PEM_BASE64 = Buffer.from(
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
).toString('base64');

/** The e-Signet provider of the OpenG2P 1.x admin guide (reference §5), ids resolved at run time. */
function guideProvider15(idTypeId: number, portalGroupId: number): Record<string, unknown> {
  return {
    name: 'e-Signet',
    body: 'Login with e-Signet',
    enabled: true,
    client_id: 'esignet-client-1',
    flow: 'id_token_code',
    token_map: 'sub:user_id',
    client_authentication_method: 'private_key_jwt',
    assertion_type: 'jwt-bearer',
    client_private_key: PEM_BASE64,
    auth_endpoint: 'https://esignet.example.org/authorize',
    validation_endpoint: 'https://api.example.org/v1/esignet/oidc/userinfo',
    token_endpoint: 'https://api.example.org/v1/esignet/oauth/token',
    jwks_uri: 'https://api.example.org/v1/esignet/oauth/.well-known/jwks.json',
    scope: 'openid profile',
    g2p_oidc_id_to_use: true,
    g2p_id_type: idTypeId,
    partner_creation_call_validate_url: true,
    partner_creation_validate_response_mapping:
      'name:name email:email phone:phone_number birthdate:birthdate gender:gender address:address',
    default_group_user_creation: portalGroupId,
    login_attribute_mapping_on_user_creation: 'email',
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<RemoteRejection> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RemoteRejection, `expected RemoteRejection, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to be rejected');
}

async function rawJsonRpc(url: string, path: string, body: unknown, cookie?: string) {
  const res = await request(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, any> };
}

describe('OpenG2P 1.x (Odoo 15) JSON-RPC through the Odoo client', () => {
  let sandbox: StandaloneOdoo;
  let odoo: OdooClient;
  let uid: number;
  let password: string;

  before(async () => {
    sandbox = await startOdooSandbox({ odooVersion: 15 });
    odoo = new OdooClient(sandbox.url, sandbox.credentials.odooDatabase);
    password = sandbox.credentials.odooPassword;
    uid = await odoo.authenticate(sandbox.credentials.odooLogin, password);
  });
  after(() => sandbox.close());

  test('reports server version 15', async () => {
    assert.deepEqual(await odoo.version(), { serverVersion: '15.0', majorVersion: 15 });
  });

  test('a wrong admin password is refused as AccessDenied, at login and on every later call', async () => {
    const atLogin = await rejectionOf(odoo.authenticate(sandbox.credentials.odooLogin, 'not-the-password'));
    assert.equal(atLogin.code, 'odoo.exceptions.AccessDenied');
    const onCall = await rejectionOf(odoo.searchRead(uid, 'not-the-password', 'res.groups', [], ['name']));
    assert.equal(onCall.code, 'odoo.exceptions.AccessDenied');
    assert.equal(onCall.message, 'odoo odoo.exceptions.AccessDenied: Access Denied');
  });

  test('fields_get shows the OpenG2P 1.x provider field set with its selections and relations', async () => {
    const fields = await odoo.fieldsGet(uid, password, PROVIDER);
    for (const name of [
      'name',
      'client_id',
      'auth_endpoint',
      'scope',
      'validation_endpoint',
      'data_endpoint',
      'enabled',
      'css_class',
      'body',
      'sequence',
      'flow',
      'token_map',
      'client_authentication_method',
      'assertion_type',
      'client_private_key',
      'client_secret',
      'code_verifier',
      'token_endpoint',
      'jwks_uri',
      'extra_authorize_params',
      'g2p_oidc_id_to_use',
      'g2p_id_type',
      'partner_creation_call_validate_url',
      'partner_creation_validate_response_mapping',
      'partner_creation_date_format',
      'default_group_user_creation',
      'login_attribute_mapping_on_user_creation',
      'g2p_self_service_allowed',
      'g2p_service_provider_allowed',
    ])
      assert.ok(fields[name], `missing field ${name}`);
    assert.deepEqual(
      fields.flow?.selection?.map(([key]) => key),
      ['access_token', 'id_token_code', 'id_token'],
    );
    assert.equal(fields.flow?.selection?.[1]?.[1], 'OpenID Connect (authorization code flow)');
    assert.deepEqual(
      fields.client_authentication_method?.selection?.map(([key]) => key),
      ['client_secret', 'private_key_jwt'],
    );
    assert.deepEqual(fields.assertion_type?.selection, [['jwt-bearer', 'JWT Bearer']]);
    assert.equal(fields.client_private_key?.type, 'binary');
    assert.equal(fields.client_private_key?.string, 'Private Key');
    assert.equal(fields.g2p_id_type?.relation, 'g2p.id.type');
    assert.equal(fields.default_group_user_creation?.relation, 'res.groups');
    assert.equal(fields.auth_endpoint?.required, true);
    assert.equal(fields.validation_endpoint?.required, false);
    for (const absent17Only of ['enable_pkce', 'allow_signup', 'signup_default_groups', 'jwt_assertion_aud'])
      assert.equal(fields[absent17Only], undefined);
  });

  test('the admin guide provider is created and reads back with Odoo encodings', async () => {
    const [idType] = await odoo.searchRead<{ name: string }>(
      uid,
      password,
      'g2p.id.type',
      [['name', '=', 'NATIONAL ID']],
      ['id', 'name'],
      1,
    );
    const portal = await odoo.xmlIdToResId(uid, password, 'base.group_portal');
    assert.ok(idType && portal);
    const providerId = await odoo.create(uid, password, PROVIDER, guideProvider15(idType.id, portal));
    const [record] = await odoo.searchRead<Record<string, unknown>>(
      uid,
      password,
      PROVIDER,
      [['id', '=', providerId]],
      [
        'client_private_key',
        'g2p_id_type',
        'default_group_user_creation',
        'data_endpoint',
        'code_verifier',
        'css_class',
        'sequence',
        'enabled',
        'flow',
      ],
    );
    assert.ok(record);
    assert.equal(record.client_private_key, PEM_BASE64);
    assert.deepEqual(record.g2p_id_type, [idType.id, 'NATIONAL ID']);
    assert.deepEqual(record.default_group_user_creation, [portal, 'User types / Portal']);
    assert.equal(record.data_endpoint, false);
    assert.match(String(record.code_verifier), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(record.css_class, 'fa fa-fw fa-sign-in text-primary');
    assert.equal(record.sequence, 10);
    assert.equal(record.enabled, true);
    assert.equal(record.flow, 'id_token_code');
    assert.equal(sandbox.odoo.providers.get(providerId)?.client_private_key, PEM_BASE64);
    assert.equal(sandbox.odoo.providerCreateCounts['e-Signet'], 1);
  });

  test('write updates the record; reading a deleted id is a MissingError', async () => {
    const id = await odoo.create(uid, password, PROVIDER, {
      name: 'to-edit',
      body: 'Edit me',
      auth_endpoint: 'https://idp.example/authorize',
    });
    await odoo.write(uid, password, PROVIDER, [id], { enabled: true, client_id: 'changed' });
    const [row] = await odoo.searchRead(uid, password, PROVIDER, [['id', '=', id]], ['enabled', 'client_id']);
    assert.deepEqual(row, { id, enabled: true, client_id: 'changed' });
    await odoo.executeKw(uid, password, PROVIDER, 'unlink', [[id]]);
    const missing = await rejectionOf(odoo.executeKw(uid, password, PROVIDER, 'read', [[id]], { fields: ['name'] }));
    assert.equal(missing.code, 'odoo.exceptions.MissingError');
  });

  test('an unknown field and a 17-only selection value are refused with ValueError', async () => {
    const base = { name: 'bad', body: 'Bad', auth_endpoint: 'https://idp.example/authorize' };
    const unknown = await rejectionOf(odoo.create(uid, password, PROVIDER, { ...base, allow_signup: 'yes' }));
    assert.equal(unknown.code, 'builtins.ValueError');
    assert.match(unknown.message, /Invalid field 'allow_signup' on model 'auth\.oauth\.provider'/);
    const selection = await rejectionOf(odoo.create(uid, password, PROVIDER, { ...base, flow: 'oidc_auth_code' }));
    assert.equal(selection.code, 'builtins.ValueError');
    assert.match(selection.message, /Wrong value for auth\.oauth\.provider\.flow: 'oidc_auth_code'/);
    assert.equal(sandbox.odoo.providerCreateCounts.bad, undefined);
  });

  test('a provider without its Authorization URL is refused as a missing mandatory field', async () => {
    const err = await rejectionOf(odoo.create(uid, password, PROVIDER, { name: 'no-endpoint', body: 'x' }));
    assert.equal(err.code, 'odoo.exceptions.ValidationError');
    assert.match(
      err.message,
      /The operation cannot be completed:[\s\S]*a mandatory field is not set[\s\S]*Field: Authorization URL \(auth_endpoint\)/,
    );
    const onWrite = await rejectionOf(
      odoo.write(uid, password, PROVIDER, [[...sandbox.odoo.providers.keys()][0]!], { body: false }),
    );
    assert.equal(onWrite.code, 'odoo.exceptions.ValidationError');
  });

  test('a user without Settings rights gets AccessError on providers but can resolve groups', async () => {
    const registrarUid = await odoo.authenticate(sandbox.odoo.nonAdminLogin, sandbox.odoo.nonAdminPassword);
    const err = await rejectionOf(odoo.searchRead(registrarUid, sandbox.odoo.nonAdminPassword, PROVIDER, [], ['name']));
    assert.equal(err.code, 'odoo.exceptions.AccessError');
    assert.match(err.message, /You are not allowed to access 'OAuth2 provider' \(auth\.oauth\.provider\) records/);
    const created = await rejectionOf(
      odoo.create(registrarUid, sandbox.odoo.nonAdminPassword, PROVIDER, { name: 'x' }),
    );
    assert.equal(created.code, 'odoo.exceptions.AccessError');
    assert.equal(
      typeof (await odoo.xmlIdToResId(registrarUid, sandbox.odoo.nonAdminPassword, 'base.group_portal')),
      'number',
    );
  });

  test('xml ids resolve through ir.model.data; an unknown one resolves to nothing', async () => {
    const portal = await odoo.xmlIdToResId(uid, password, 'base.group_portal');
    const [group] = await odoo.searchRead<{ name: string }>(
      uid,
      password,
      'res.groups',
      [['id', '=', portal]],
      ['name'],
    );
    assert.equal(group?.name, 'Portal');
    assert.equal(await odoo.xmlIdToResId(uid, password, 'base.group_does_not_exist'), undefined);
    assert.notEqual(await odoo.xmlIdToResId(uid, password, 'base.group_user'), portal);
  });

  test('unknown models and private methods are refused the way Odoo refuses them', async () => {
    const model = await rejectionOf(odoo.executeKw(uid, password, 'g2p.nothing', 'search', [[]]));
    assert.equal(model.code, 'odoo.exceptions.UserError');
    assert.match(model.message, /Object g2p\.nothing doesn't exist/);
    const privateMethod = await rejectionOf(
      odoo.executeKw(uid, password, 'ir.model.data', '_xmlid_to_res_id', ['base.group_portal']),
    );
    assert.equal(privateMethod.code, 'odoo.exceptions.AccessError');
    const badKwarg = await rejectionOf(
      odoo.executeKw(uid, password, PROVIDER, 'search_read', [[]], { colums: ['name'] }),
    );
    assert.equal(badKwarg.code, 'builtins.TypeError');
  });

  test('errors travel in the JSON-RPC envelope with HTTP 200 and the request id echoed', async () => {
    const res = await rawJsonRpc(sandbox.url, '/jsonrpc', {
      jsonrpc: '2.0',
      method: 'call',
      id: 'req-7',
      params: {
        service: 'object',
        method: 'execute_kw',
        args: [sandbox.credentials.odooDatabase, uid, password, PROVIDER, 'create', [{ name: 'x', nope: 1 }]],
      },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 'req-7');
    assert.equal(res.body.error.code, 200);
    assert.equal(res.body.error.message, 'Odoo Server Error');
    assert.deepEqual(Object.keys(res.body.error.data).sort(), ['arguments', 'context', 'debug', 'message', 'name']);
    const wrongLogin = await rawJsonRpc(sandbox.url, '/jsonrpc', {
      jsonrpc: '2.0',
      method: 'call',
      id: 8,
      params: {
        service: 'common',
        method: 'authenticate',
        args: [sandbox.credentials.odooDatabase, 'admin', 'wrong', {}],
      },
    });
    assert.deepEqual(wrongLogin.body, { jsonrpc: '2.0', id: 8, result: false });
  });

  test('the web client routes need a session cookie from /web/session/authenticate', async () => {
    const callKw = {
      jsonrpc: '2.0',
      method: 'call',
      id: 1,
      params: { model: 'res.groups', method: 'search_count', args: [[]], kwargs: {} },
    };
    const anonymous = await rawJsonRpc(sandbox.url, '/web/dataset/call_kw/res.groups/search_count', callKw);
    assert.equal(anonymous.body.error.code, 100);
    assert.equal(anonymous.body.error.message, 'Odoo Session Expired');
    const login = await rawJsonRpc(sandbox.url, '/web/session/authenticate', {
      jsonrpc: '2.0',
      method: 'call',
      id: 2,
      params: { db: sandbox.credentials.odooDatabase, login: sandbox.credentials.odooLogin, password },
    });
    assert.equal(login.body.result.uid, uid);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    assert.match(cookie, /^session_id=[0-9a-f]{40}$/);
    const withSession = await rawJsonRpc(sandbox.url, '/web/dataset/call_kw/res.groups/search_count', callKw, cookie);
    assert.equal(withSession.body.result, 4);
  });
});

describe('OpenG2P 1.2+ (Odoo 17) provider model', () => {
  let sandbox: StandaloneOdoo;
  let odoo: OdooClient;
  let uid: number;
  let password: string;

  before(async () => {
    sandbox = await startOdooSandbox({ odooVersion: 17 });
    odoo = new OdooClient(sandbox.url, sandbox.credentials.odooDatabase);
    password = sandbox.credentials.odooPassword;
    uid = await odoo.authenticate(sandbox.credentials.odooLogin, password);
  });
  after(() => sandbox.close());

  test('fields_get shows the g2p_auth_oidc field set, without the 1.x-only fields', async () => {
    assert.equal((await odoo.version()).majorVersion, 17);
    const fields = await odoo.fieldsGet(uid, password, PROVIDER);
    assert.deepEqual(
      fields.flow?.selection?.map(([key]) => key),
      ['oauth2', 'oidc_implicit', 'oidc_auth_code'],
    );
    assert.deepEqual(
      fields.client_authentication_method?.selection?.map(([key]) => key),
      ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    );
    assert.equal(fields.signup_default_groups?.type, 'many2many');
    assert.equal(fields.signup_default_groups?.relation, 'res.groups');
    for (const name of [
      'jwt_assertion_aud',
      'enable_pkce',
      'verify_at_hash',
      'date_format',
      'allow_signup',
      'sync_user_groups',
      'g2p_id_type',
      'image_icon_url',
    ]) {
      assert.ok(fields[name], `missing field ${name}`);
    }
    for (const name of [
      'assertion_type',
      'g2p_oidc_id_to_use',
      'partner_creation_call_validate_url',
      'default_group_user_creation',
      'login_attribute_mapping_on_user_creation',
    ]) {
      assert.equal(fields[name], undefined, `${name} must not exist on 17`);
    }
  });

  test('signup_default_groups takes many2many commands and reads back as ids', async () => {
    const portal = await odoo.xmlIdToResId(uid, password, 'base.group_portal');
    assert.ok(portal);
    const id = await odoo.create(uid, password, PROVIDER, {
      name: 'e-Signet',
      body: 'Login with e-Signet',
      flow: 'oidc_auth_code',
      client_authentication_method: 'private_key_jwt',
      auth_endpoint: 'https://esignet.example.org/authorize',
      signup_default_groups: [[6, 0, [portal]]],
    });
    const [row] = await odoo.searchRead<{ signup_default_groups: number[]; company_id: unknown; enable_pkce: boolean }>(
      uid,
      password,
      PROVIDER,
      [['id', '=', id]],
      ['signup_default_groups', 'company_id', 'enable_pkce'],
    );
    assert.deepEqual(row?.signup_default_groups, [portal]);
    assert.deepEqual(row?.company_id, [1, 'My Company']);
    assert.equal(row?.enable_pkce, true);
    const guide15 = await rejectionOf(odoo.write(uid, password, PROVIDER, [id], { assertion_type: 'jwt-bearer' }));
    assert.match(guide15.message, /Invalid field 'assertion_type'/);
  });
});
