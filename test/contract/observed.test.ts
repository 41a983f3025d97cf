// mosip-pms.md, "Observed on running servers" (authmanager, partner manager, policy manager,
// keymanager at v1.2.0.1) and the correction in §9: the sandbox answers as those services did,
// each answer passes the contract rules written from them, and the product's clients read it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteRejection } from '../../src/clients/errors.js';
import { KeymanagerClient } from '../../src/clients/keymanager.js';
import { IdaClient } from '../../src/clients/ida.js';
import { PolicyManagerClient } from '../../src/clients/policymanager.js';
import { mosipRequest } from '../../src/clients/mosip-envelope.js';
import { generatePartnerCertificates } from '../../src/security/partner-certificates.js';
import type { RecordedRequest } from '../../sandbox/router.js';
import { startMosip, partnerFields, type MosipHarness } from '../unit/mosip-harness.js';
import { MOSIP_RULES } from './reference-rules.js';
import { mosip401Problems } from './contract.js';

const POLICY = 'openg2p-auth-policy';
const IDA = '/idauthentication/v1/internal';

function rejectedWith(code: string, httpStatus?: number) {
  return (err: unknown) => {
    assert.ok(err instanceof RemoteRejection, `expected RemoteRejection ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    if (httpStatus !== undefined) assert.equal(err.httpStatus, httpStatus);
    return true;
  };
}

/** The contract rule's verdict on the last recorded exchange of `method route`. */
function ruleProblems(h: MosipHarness, method: string, route: string): string[] {
  const r = [...h.requests].reverse().find((x: RecordedRequest) => x.method === method && x.route === route);
  assert.ok(r, `${method} ${route} was not recorded`);
  const rule = MOSIP_RULES.find((x) => x.route === route && x.method === method)!;
  const parsed = rule.response.safeParse(r.response);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('what the running MOSIP 1.2.0.1 services answered, the sandbox answers', () => {
  let h: MosipHarness;
  let adminToken: string;
  let active: ReturnType<typeof partnerFields>;
  const raw = (path: string, init: RequestInit = {}) => fetch(`${h.baseUrl}${path}`, init);

  before(async () => {
    h = await startMosip();
    await h.mosip.ready;
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

  test('a 401 body is the error object written twice (not one JSON document), and every client reads it as KER-ATH-401 without parsing it', async () => {
    for (const path of [
      `/v1/partnermanager/partners/${active.partnerId}`,
      '/v1/policymanager/policies/active/group/openg2p-policy-group',
      '/v1/keymanager/getCertificate?applicationId=ROOT',
      `${IDA}/getCertificate?applicationId=IDA&referenceId=PARTNER`,
    ]) {
      const res = await raw(path, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(res.status, 401, path);
      assert.deepEqual(mosip401Problems(await res.text()), [], path);
    }
    const stale = 'not-a-token';
    await assert.rejects(h.pms(stale).getPartner(active.partnerId), rejectedWith('KER-ATH-401', 401));
    await assert.rejects(
      new PolicyManagerClient(`${h.baseUrl}/v1/policymanager`, stale).activePoliciesOfGroup('openg2p-policy-group'),
      rejectedWith('KER-ATH-401', 401),
    );
    await assert.rejects(
      new KeymanagerClient(`${h.baseUrl}/v1/keymanager`, stale).getCertificate('ROOT'),
      rejectedWith('KER-ATH-401', 401),
    );
    await assert.rejects(
      new IdaClient(`${h.baseUrl}${IDA}`, stale).getCertificate('IDA', 'PARTNER'),
      rejectedWith('KER-ATH-401', 401),
    );
  });

  test('an empty Authorization cookie is an HTTP 500, so the clients never send one: they refuse before anything leaves', async () => {
    for (const path of [
      `/v1/partnermanager/partners/${active.partnerId}`,
      '/v1/keymanager/getCertificate?applicationId=ROOT',
    ]) {
      const res = await raw(path, { headers: { cookie: 'Authorization=' } });
      assert.equal(res.status, 500, path);
    }
    const mark = h.requests.length;
    await assert.rejects(h.pms('').getPartner(active.partnerId), rejectedWith('NO_TOKEN'));
    await assert.rejects(
      new IdaClient(`${h.baseUrl}${IDA}`, '').getCertificate('IDA', 'PARTNER'),
      rejectedWith('NO_TOKEN'),
    );
    assert.equal(h.requests.length, mark, 'nothing was sent');
  });

  test('the password login answers status "success" in lower case, and the token is taken from the body', async () => {
    const token = await h.adminToken();
    assert.equal(token.split('.').length, 3);
    assert.deepEqual(ruleProblems(h, 'POST', '/v1/authmanager/authenticate/internal/useridPwd'), []);
    const recorded = [...h.requests]
      .reverse()
      .find((r) => r.route === '/v1/authmanager/authenticate/internal/useridPwd')!;
    assert.equal((recorded.response as { response: { status: string } }).response.status, 'success');
  });

  test('PMS_COR_001 error envelopes carry a nanosecond timestamp without Z, and the client reports the code', async () => {
    const res = await raw('/v1/partnermanager/partners', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `Authorization=${adminToken}` },
      body: JSON.stringify(mosipRequest({ ...partnerFields('auth'), partnerId: '' })),
    });
    const body = (await res.json()) as { responsetime: string; errors: { errorCode: string }[] };
    assert.match(body.responsetime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}$/);
    assert.equal(body.errors[0]?.errorCode, 'PMS_COR_001');
    assert.deepEqual(ruleProblems(h, 'POST', '/v1/partnermanager/partners'), []);
    await assert.rejects(
      h.pms(adminToken).registerPartner({ ...partnerFields('auth'), emailId: '' }),
      rejectedWith('PMS_COR_001', 200),
    );
  });

  test('the partner details name the id partnerID, and the client gives it back as partnerId', async () => {
    const res = await raw(`/v1/partnermanager/partners/${active.partnerId}`, {
      headers: { cookie: `Authorization=${adminToken}` },
    });
    const body = (await res.json()) as { response: Record<string, unknown> };
    assert.equal(body.response.partnerID, active.partnerId);
    assert.equal('partnerId' in body.response, false);
    assert.equal((await h.pms(adminToken).getPartner(active.partnerId))?.partnerId, active.partnerId);
  });

  test('after approval, the partner-scoped list of API key requests fails with a null pointer while the search finds the mapping', async () => {
    const admin = h.pms(adminToken);
    const { mappingKey } = await admin.requestPolicyMapping(active.partnerId, POLICY, 'observed');
    await admin.decidePolicyMapping(mappingKey, 'Approved');
    const listed = await raw(`/v1/partnermanager/partners/${active.partnerId}/apikey/request`, {
      headers: { cookie: `Authorization=${adminToken}` },
    });
    assert.deepEqual(((await listed.json()) as { errors: unknown }).errors, [{ errorCode: null, message: null }]);
    assert.deepEqual(await admin.findPolicyMapping(active.partnerId, POLICY), { mappingKey, status: 'approved' });
  });

  test('API keys are 6-digit number strings', async () => {
    const partner = h.pms(await h.partnerToken(active.partnerId));
    for (const label of ['k1', 'k2', 'k3']) {
      const { apiKey } = await partner.generateApiKey(active.partnerId, POLICY, label);
      assert.match(apiKey, /^\d{6}$/);
    }
    assert.deepEqual(ruleProblems(h, 'PATCH', '/v1/partnermanager/partners/:partnerId/generate/apikey'), []);
  });

  test('the MISP license expiry carries nanoseconds and no Z, and reads back the same', async () => {
    const admin = h.pms(adminToken);
    const misp = partnerFields('misp');
    await admin.registerPartner(misp);
    const pair = await generatePartnerCertificates(misp.organizationName, misp.partnerId);
    await admin.uploadCaCertificate(pair.caCertificatePem, 'AUTH');
    await admin.uploadPartnerCertificate({
      partnerId: misp.partnerId,
      certificateData: pair.certificatePem,
      partnerDomain: 'AUTH',
    });
    const license = await admin.createMispLicense(misp.partnerId);
    assert.match(license.licenseKeyExpiry, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}$/);
    assert.deepEqual(ruleProblems(h, 'POST', '/v1/partnermanager/misps'), []);
    await admin.getMispLicense(misp.partnerId);
    assert.deepEqual(ruleProblems(h, 'GET', '/v1/partnermanager/misps/:mispId/licenseKey'), []);
  });

  test("keymanager answers KER-KMS-002 for IDA; IDA's internal API serves IDA/PARTNER in keymanager's envelope", async () => {
    const km = await h.keymanager();
    await assert.rejects(km.getCertificate('IDA', 'PARTNER'), rejectedWith('KER-KMS-002', 200));
    const served = await (await h.ida()).getCertificate('IDA', 'PARTNER');
    assert.match(served.certificate, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    assert.deepEqual(ruleProblems(h, 'GET', `${IDA}/getCertificate`), []);
  });
});

describe('the contract rules hold the sandbox to what was observed', () => {
  test('a 401 body that is one JSON document, or not the auth error twice, is flagged', () => {
    const once = JSON.stringify({
      id: null,
      version: null,
      responsetime: '2024-01-01T10:00:00.000Z',
      metadata: null,
      response: null,
      errors: [{ errorCode: 'KER-ATH-401', message: 'Authentication Failed' }],
    });
    assert.deepEqual(mosip401Problems(once + once), []);
    assert.equal(mosip401Problems(once).length, 1);
    assert.equal(mosip401Problems(JSON.parse(once)).length, 1);
    assert.equal(mosip401Problems('oops').length, 1);
  });

  test('a capitalised login status, a millisecond PMS_COR_001 timestamp and a key that is not 6 digits are flagged', () => {
    const rule = (route: string, method: string) =>
      MOSIP_RULES.find((r) => r.route === route && r.method === method)!.response;
    const login = (status: string) => ({
      id: null,
      version: null,
      responsetime: '2024-01-01T10:00:00.000Z',
      metadata: null,
      response: { token: 'a.b.c', status },
      errors: null,
    });
    assert.equal(
      rule('/v1/authmanager/authenticate/internal/useridPwd', 'POST').safeParse(login('success')).success,
      true,
    );
    assert.equal(
      rule('/v1/authmanager/authenticate/internal/useridPwd', 'POST').safeParse(login('Success')).success,
      false,
    );
    const cor = (responsetime: string) => ({
      id: null,
      version: null,
      responsetime,
      metadata: null,
      response: null,
      errors: [{ errorCode: 'PMS_COR_001', message: 'Invalid request parameter - x :request.y' }],
    });
    assert.equal(
      rule('/v1/partnermanager/partners', 'POST').safeParse(cor('2024-01-01T10:00:00.123456789')).success,
      true,
    );
    assert.equal(rule('/v1/partnermanager/partners', 'POST').safeParse(cor('2024-01-01T10:00:00.123Z')).success, false);
    const key = (apiKey: string) => ({
      id: 'x',
      version: '1.0',
      responsetime: '2024-01-01T10:00:00.000Z',
      metadata: null,
      response: { apiKey, label: 'l', policyId: 'p', partnerId: 'q' },
      errors: [],
    });
    assert.equal(
      rule('/v1/partnermanager/partners/:partnerId/generate/apikey', 'PATCH').safeParse(key('123456')).success,
      true,
    );
    assert.equal(
      rule('/v1/partnermanager/partners/:partnerId/generate/apikey', 'PATCH').safeParse(key('12345')).success,
      false,
    );
  });
});
