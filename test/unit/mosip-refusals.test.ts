import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePartnerCertificates } from '../../src/security/partner-certificates.js';
import { RemoteRejection, TransientRemoteError } from '../../src/clients/errors.js';
import { clientCredentialsToken } from '../../src/clients/keycloak.js';
import { mosipRequest } from '../../src/clients/mosip-envelope.js';
import { startMosip, partnerFields, type MosipHarness } from './mosip-harness.js';

const POLICY = 'openg2p-auth-policy';

function rejectedWith(code: string, httpStatus?: number) {
  return (err: unknown) => {
    assert.ok(err instanceof RemoteRejection, `expected RemoteRejection ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    if (httpStatus !== undefined) assert.equal(err.httpStatus, httpStatus);
    return true;
  };
}

describe('MOSIP stand-in refusals, as the typed clients report them', () => {
  let h: MosipHarness;
  let adminToken: string;
  /** An Auth partner with an uploaded certificate (active) and nothing else. */
  let active: ReturnType<typeof partnerFields>;

  before(async () => {
    h = await startMosip();
    adminToken = await h.adminToken();
    active = partnerFields('auth');
    const admin = h.pms(adminToken);
    await admin.registerPartner(active);
    const pair = await generatePartnerCertificates(active.organizationName, active.partnerId);
    await admin.uploadCaCertificate(pair.caCertificatePem, 'AUTH');
    await admin.uploadPartnerCertificate({
      partnerId: active.partnerId,
      certificateData: pair.certificatePem,
      partnerDomain: 'AUTH',
    });
  });
  after(async () => h.close());

  const raw = (path: string, init: RequestInit = {}) => fetch(`${h.baseUrl}${path}`, init);

  test('a wrong password on useridPwd is KER-ATH-023 inside an HTTP 200', async () => {
    await assert.rejects(
      h.authmanager.loginWithPassword({
        userName: h.credentials.partnerAdminUser,
        password: 'wrong',
        appId: 'partner',
        clientId: h.credentials.mosipClientId,
        clientSecret: h.credentials.mosipClientSecret,
      }),
      rejectedWith('KER-ATH-023', 200),
    );
  });

  test('a wrong client secret is a rejection, not a transient error, although authmanager answers HTTP 500', async () => {
    const login = h.authmanager.loginWithClientSecret({
      clientId: h.credentials.mosipClientId,
      secretKey: 'wrong',
      appId: 'partner',
    });
    await assert.rejects(
      login,
      (e) => e instanceof RemoteRejection && !(e instanceof TransientRemoteError) && e.httpStatus === 500,
    );
  });

  test('the client-secret token comes only from the cookie and works on PMS', async () => {
    const res = await raw('/v1/authmanager/authenticate/clientidsecretkey', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        mosipRequest({
          clientId: h.credentials.mosipClientId,
          secretKey: h.credentials.mosipClientSecret,
          appId: 'partner',
        }),
      ),
    });
    const body = (await res.json()) as { response: Record<string, unknown>; errors: unknown };
    assert.equal(body.errors, null);
    assert.deepEqual(Object.keys(body.response).sort(), ['message', 'status']);
    const token = await h.authmanager.loginWithClientSecret({
      clientId: h.credentials.mosipClientId,
      secretKey: h.credentials.mosipClientSecret,
      appId: 'partner',
    });
    assert.equal((await h.pms(token).getPartner(active.partnerId))?.partnerId, active.partnerId);
  });

  test('PMS without the Authorization cookie is HTTP 401 KER-ATH-401 (the error written twice in one body), even with a Bearer header', async () => {
    for (const headers of [{}, { authorization: `Bearer ${adminToken}` }] as Record<string, string>[]) {
      const res = await raw(`/v1/partnermanager/partners/${active.partnerId}`, { headers });
      assert.equal(res.status, 401);
      const text = await res.text();
      assert.throws(
        () => JSON.parse(text),
        SyntaxError,
        'a running 1.2.0.1 service writes the 401 error object twice: not one JSON document',
      );
      assert.equal(text.match(/"errorCode":"KER-ATH-401"/g)?.length, 2);
    }
    await assert.rejects(h.pms('not-a-token').getPartner(active.partnerId), rejectedWith('KER-ATH-401', 401));
  });

  test('PMS success envelopes carry errors: [] and the partner details under partnerID', async () => {
    const res = await raw(`/v1/partnermanager/partners/${active.partnerId}`, {
      headers: { cookie: `Authorization=${adminToken}` },
    });
    const body = (await res.json()) as {
      id: string;
      errors: unknown;
      responsetime: string;
      response: Record<string, unknown>;
    };
    assert.equal(body.id, 'mosip.partnermanagement.partners.retrieve');
    assert.deepEqual(body.errors, []);
    assert.match(body.responsetime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(body.response.partnerID, active.partnerId);
    assert.equal(body.response.status, 'active');
  });

  test('activating a partner needs its certificate first (PMS_PRT_108), then answers with a message', async () => {
    const admin = h.pms(adminToken);
    const fields = partnerFields('misp');
    await admin.registerPartner(fields);
    const patch = (partnerId: string) =>
      raw(`/v1/partnermanager/partners/${partnerId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', cookie: `Authorization=${adminToken}` },
        body: JSON.stringify(mosipRequest({ status: 'ACTIVE' }, 'activate-partner', 'LTS')),
      }).then((r) => r.json() as Promise<{ id: string; response: unknown; errors: { errorCode: string }[] }>);
    assert.equal((await patch(fields.partnerId)).errors[0]?.errorCode, 'PMS_PRT_108');
    const activated = await patch(active.partnerId);
    assert.deepEqual(activated.response, { message: 'Partner activated successfully' });
    assert.equal(activated.id, 'activate-partner');
  });

  test('a partner user uploading a CA certificate is HTTP 403 KER-ATH-403', async () => {
    const partner = h.pms(await h.partnerToken(active.partnerId));
    const pair = await generatePartnerCertificates('Other', 'other');
    await assert.rejects(partner.uploadCaCertificate(pair.caCertificatePem, 'AUTH'), rejectedWith('KER-ATH-403', 403));
  });

  test('the Partner Admin cannot generate a partner API key (403), only the partner itself', async () => {
    await assert.rejects(
      h.pms(adminToken).generateApiKey(active.partnerId, POLICY, 'x'),
      rejectedWith('KER-ATH-403', 403),
    );
  });

  test('a partner may not act for another partner (PMS_PRT_055)', async () => {
    const other = h.pms(await h.partnerToken('someone-else'));
    await assert.rejects(other.requestPolicyMapping(active.partnerId, POLICY, 'x'), rejectedWith('PMS_PRT_055'));
  });

  test('registering the same partner id twice is PMS_PRT_051; a malformed email is PMS_PRT_012', async () => {
    const admin = h.pms(adminToken);
    await assert.rejects(
      admin.registerPartner({ ...active, emailId: 'another@openg2p.test' }),
      rejectedWith('PMS_PRT_051'),
    );
    const fresh = partnerFields('auth');
    await assert.rejects(admin.registerPartner({ ...fresh, emailId: 'not an email' }), rejectedWith('PMS_PRT_012'));
    await assert.rejects(admin.registerPartner({ ...fresh, policyGroup: undefined }), rejectedWith('PMS_PRT_108'));
    assert.equal(await admin.getPartner(fresh.partnerId), undefined);
  });

  test('an API key before the mapping is approved is PMS_PRT_109; a second mapping request is PMS_PRT_053', async () => {
    const admin = h.pms(adminToken);
    const partner = h.pms(await h.partnerToken(active.partnerId));
    await assert.rejects(partner.generateApiKey(active.partnerId, POLICY, 'early'), rejectedWith('PMS_PRT_109'));
    await partner.requestPolicyMapping(active.partnerId, POLICY, 'first');
    await assert.rejects(
      admin.requestPolicyMapping(active.partnerId, POLICY, 'second'),
      (e) => rejectedWith('PMS_PRT_053')(e) && /InProgress state/.test((e as Error).message),
    );
    await assert.rejects(partner.generateApiKey(active.partnerId, POLICY, 'still-early'), rejectedWith('PMS_PRT_109'));
    assert.equal(h.mosip.counts().policyMappings[`${active.partnerId}/${POLICY}`], 1);
  });

  test('drafted and expired policies cannot be mapped', async () => {
    const admin = h.pms(adminToken);
    await assert.rejects(
      admin.requestPolicyMapping(active.partnerId, 'openg2p-draft-policy', 'x'),
      rejectedWith('PMS_PMP_019'),
    );
    await assert.rejects(
      admin.requestPolicyMapping(active.partnerId, 'openg2p-expired-policy', 'x'),
      rejectedWith('PMS_PMP_018'),
    );
    await assert.rejects(
      admin.requestPolicyMapping(active.partnerId, 'no-such-policy', 'x'),
      rejectedWith('PMS_PRT_098'),
    );
  });

  test('a partner certificate whose O= differs from the organisation is KER-PCM-008; self-signed is KER-PCM-015; unknown CA is KER-PCM-006', async () => {
    const admin = h.pms(adminToken);
    const fields = partnerFields('auth');
    await admin.registerPartner(fields);
    const wrongOrg = await generatePartnerCertificates('Somebody Else Ltd', fields.partnerId);
    await admin.uploadCaCertificate(wrongOrg.caCertificatePem, 'AUTH');
    await assert.rejects(
      admin.uploadPartnerCertificate({
        partnerId: fields.partnerId,
        certificateData: wrongOrg.certificatePem,
        partnerDomain: 'AUTH',
      }),
      rejectedWith('KER-PCM-008'),
    );
    await assert.rejects(
      admin.uploadPartnerCertificate({
        partnerId: fields.partnerId,
        certificateData: wrongOrg.caCertificatePem,
        partnerDomain: 'AUTH',
      }),
      rejectedWith('KER-PCM-015'),
    );
    const unknownCa = await generatePartnerCertificates(fields.organizationName, fields.partnerId);
    await assert.rejects(
      admin.uploadPartnerCertificate({
        partnerId: fields.partnerId,
        certificateData: unknownCa.certificatePem,
        partnerDomain: 'AUTH',
      }),
      rejectedWith('KER-PCM-006'),
    );
    assert.equal(
      (await admin.getPartner(fields.partnerId))?.isActive,
      false,
      'a refused certificate leaves the partner inactive',
    );
  });

  test('a partner certificate with a 1024-bit key is KER-PCM-013', async () => {
    const { RSA_SHA256, generateRsaKeys, toPem, x509 } = await import('../../src/security/x509.js');
    const admin = h.pms(adminToken);
    const fields = partnerFields('auth');
    await admin.registerPartner(fields);
    const caKeys = await generateRsaKeys();
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=Weak CA, O=${fields.organizationName}`,
      keys: caKeys,
      signingAlgorithm: RSA_SHA256,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const weakKeys = await generateRsaKeys(1024);
    const leaf = await x509.X509CertificateGenerator.create({
      subject: `CN=weak, O=${fields.organizationName}`,
      issuer: ca.subject,
      publicKey: weakKeys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: RSA_SHA256,
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
    });
    await admin.uploadCaCertificate(toPem(ca), 'AUTH');
    await assert.rejects(
      admin.uploadPartnerCertificate({
        partnerId: fields.partnerId,
        certificateData: toPem(leaf),
        partnerDomain: 'AUTH',
      }),
      rejectedWith('KER-PCM-013'),
    );
  });

  test('a requesttime without millis and Z is an HTTP 400; a missing field is PMS_COR_001 naming only the first', async () => {
    const headers = { 'content-type': 'application/json', cookie: `Authorization=${adminToken}` };
    const badTime = await raw('/v1/partnermanager/partners', {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...mosipRequest(partnerFields('auth')), requesttime: '2024-01-01T10:00:00Z' }),
    });
    assert.equal(badTime.status, 400);
    const missing = await raw('/v1/partnermanager/partners', {
      method: 'POST',
      headers,
      body: JSON.stringify(mosipRequest({ ...partnerFields('auth'), partnerId: '', emailId: '' })),
    });
    assert.equal(missing.status, 200);
    const body = (await missing.json()) as { id: unknown; errors: { errorCode: string; message: string }[] };
    assert.equal(body.id, null);
    assert.deepEqual(body.errors, [
      { errorCode: 'PMS_COR_001', message: 'Invalid request parameter - value is empty or null :request.partnerId' },
    ]);
  });

  test('the Keycloak token endpoint issues client-credentials tokens and refuses a wrong secret with invalid_client', async () => {
    const tokenUrl = `${h.baseUrl}/auth/realms/mosip/protocol/openid-connect/token`;
    const token = await clientCredentialsToken(tokenUrl, h.credentials.mosipClientId, h.credentials.mosipClientSecret);
    assert.ok(token.accessToken.split('.').length === 3);
    assert.equal(token.expiresInSeconds, h.realm.tokenLifetimeSeconds);
    await assert.rejects(
      clientCredentialsToken(tokenUrl, h.credentials.mosipClientId, 'wrong'),
      rejectedWith('invalid_client', 401),
    );
  });

  test('keymanager refuses a token that holds only partner roles (403)', async () => {
    const { KeymanagerClient } = await import('../../src/clients/keymanager.js');
    const km = new KeymanagerClient(`${h.baseUrl}/v1/keymanager`, adminToken);
    await assert.rejects(km.getCertificate('IDA', 'PARTNER'), rejectedWith('KER-ATH-403', 403));
  });
});
