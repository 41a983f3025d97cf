import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { x509 } from '../../src/security/x509.js';
import { generatePartnerCertificates } from '../../src/security/partner-certificates.js';
import { RemoteRejection } from '../../src/clients/errors.js';
import { startMosip, partnerFields, type MosipHarness } from './mosip-harness.js';

const POLICY = 'openg2p-auth-policy';

describe('MOSIP stand-in through the typed clients: onboarding paths', () => {
  let h: MosipHarness;
  before(async () => {
    h = await startMosip();
  });
  after(async () => h.close());

  test('an Auth partner goes from self-registration to an API key, and every record is created once', async () => {
    const admin = h.pms(await h.adminToken());
    const fields = partnerFields('auth');
    const { partnerId } = fields;

    assert.deepEqual(await admin.registerPartner(fields), { partnerId, status: 'InProgress' });
    const registered = await admin.getPartner(partnerId);
    assert.equal(registered?.isActive, false);
    assert.equal(registered?.status, 'De-active');
    assert.equal(registered?.policyGroup, 'openg2p-policy-group');
    assert.equal(await admin.getPartnerCertificate(partnerId), undefined);

    const pair = await generatePartnerCertificates(fields.organizationName, partnerId);
    assert.equal(await admin.uploadCaCertificate(pair.caCertificatePem, 'AUTH'), 'uploaded');
    assert.equal(await admin.uploadCaCertificate(pair.caCertificatePem, 'AUTH'), 'already-exists');
    const upload = await admin.uploadPartnerCertificate({
      partnerId,
      certificateData: pair.certificatePem,
      partnerDomain: 'AUTH',
    });

    // MOSIP re-signs the partner's key: same subject and key, issued by the sandbox PMS key.
    const original = new x509.X509Certificate(pair.certificatePem);
    const signed = new x509.X509Certificate(upload.signedCertificateData);
    assert.equal(signed.subject, original.subject);
    assert.match(signed.issuer, /CN=PMS/);
    assert.deepEqual(Buffer.from(signed.publicKey.rawData), Buffer.from(original.publicKey.rawData));
    const km = await h.keymanager();
    const pmsCert = new x509.X509Certificate((await km.getCertificate('PMS')).certificate);
    assert.equal(await signed.verify({ publicKey: pmsCert.publicKey, signatureOnly: true }), true);
    assert.equal((await admin.getPartner(partnerId))?.isActive, true, 'certificate upload activates the partner');
    assert.equal(await admin.getPartnerCertificate(partnerId), upload.signedCertificateData);
    assert.equal((await km.getCertificate('PARTNER', partnerId)).certificate, upload.signedCertificateData);

    assert.equal(await admin.findPolicyMapping(partnerId, POLICY), undefined);
    const { mappingKey } = await admin.requestPolicyMapping(partnerId, POLICY, 'OpenG2P login with e-Signet');
    assert.deepEqual(await admin.findPolicyMapping(partnerId, POLICY), { mappingKey, status: 'InProgress' });
    await admin.decidePolicyMapping(mappingKey, 'Approved');
    await admin.decidePolicyMapping(mappingKey, 'Approved'); // a retried decision is not an error
    assert.deepEqual(await admin.findPolicyMapping(partnerId, POLICY), { mappingKey, status: 'approved' });
    // PMS 1.2.0.1's own list of a partner's requests breaks (NullPointerException) once one is approved.
    const listed = await fetch(`${h.baseUrl}/v1/partnermanager/partners/${partnerId}/apikey/request`, {
      headers: { cookie: `Authorization=${await h.adminToken()}` },
    });
    assert.deepEqual(((await listed.json()) as { errors: unknown }).errors, [{ errorCode: null, message: null }]);
    await assert.rejects(
      admin.decidePolicyMapping(mappingKey, 'Rejected'),
      (e) => e instanceof RemoteRejection && e.code === 'PMS_PM_034',
    );

    const partner = h.pms(await h.partnerToken(partnerId));
    const key = await partner.generateApiKey(partnerId, POLICY, 'openg2p');
    assert.match(key.apiKey, /^\d{6}$/, 'PMS 1.2.0.1 issues 6-digit API keys');
    assert.equal(key.label, 'openg2p');
    assert.equal(key.partnerId, partnerId);
    assert.equal(key.policyId, [...h.mosip.state.policies.values()].find((p) => p.name === POLICY)?.id);
    await assert.rejects(
      partner.generateApiKey(partnerId, POLICY, 'openg2p'),
      (e) => e instanceof RemoteRejection && e.code === 'PMS_PRT_110',
    );

    const counts = h.mosip.counts();
    assert.equal(counts.partners[partnerId], 1);
    assert.equal(counts.policyMappings[`${partnerId}/${POLICY}`], 1);
    assert.equal(counts.apiKeys[`${partnerId}/${POLICY}`], 1);
  });

  test('a MISP partner gets exactly one 50-character license, and reading it back returns the same key', async () => {
    const admin = h.pms(await h.adminToken());
    const fields = partnerFields('misp');
    const { partnerId } = fields;
    await admin.registerPartner(fields);
    const pair = await generatePartnerCertificates(fields.organizationName, partnerId);
    await admin.uploadCaCertificate(pair.caCertificatePem, 'AUTH');
    await admin.uploadPartnerCertificate({ partnerId, certificateData: pair.certificatePem, partnerDomain: 'AUTH' });

    assert.equal(await admin.getMispLicense(partnerId), undefined);
    const license = await admin.createMispLicense(partnerId);
    assert.match(license.licenseKey, /^[0-9a-zA-Z]{50}$/);
    assert.equal(license.licenseKeyStatus, 'Active');
    assert.equal(license.providerId, partnerId);
    const expiresInDays = (Date.parse(`${license.licenseKeyExpiry}Z`) - Date.now()) / 86_400_000;
    assert.ok(expiresInDays > 89 && expiresInDays <= 90, `expiry ${license.licenseKeyExpiry}`);
    await assert.rejects(
      admin.createMispLicense(partnerId),
      (e) => e instanceof RemoteRejection && e.code === 'PMS_MSP_416',
    );
    assert.equal((await admin.getMispLicense(partnerId))?.licenseKey, license.licenseKey);
    assert.equal(h.mosip.counts().mispLicenses[partnerId], 1);
  });

  test("IDA's internal API serves the IDA partner certificate; keymanager, like a running 1.2.0.1 one, has no IDA key policy", async () => {
    const ida = await h.ida();
    const served = await ida.getCertificate('IDA', 'PARTNER');
    const idaCert = new x509.X509Certificate(served.certificate);
    assert.match(idaCert.subject, /CN=IDA-PARTNER/);
    assert.equal(served.issuedAt, idaCert.notBefore.toISOString());
    await assert.rejects(ida.getCertificate('ROOT'), (e) => e instanceof RemoteRejection && e.code === 'KER-KMS-002');
    const km = await h.keymanager();
    await assert.rejects(
      km.getCertificate('IDA', 'PARTNER'),
      (e) => e instanceof RemoteRejection && e.code === 'KER-KMS-002',
    );
    const root = new x509.X509Certificate((await km.getCertificate('ROOT')).certificate);
    assert.equal(await root.isSelfSigned(), true);
    const idaRoot = new x509.X509Certificate((await ida.getCertificate('IDA')).certificate);
    assert.equal(
      await idaCert.verify({ publicKey: idaRoot.publicKey, signatureOnly: true }),
      true,
      "issued under IDA's own key",
    );
    await assert.rejects(
      km.getCertificate('NOT_AN_APP'),
      (e) => e instanceof RemoteRejection && e.code === 'KER-KMS-002',
    );
  });
});

describe('demo mode: the sandbox Partner Admin approves in the portal', () => {
  let h: MosipHarness;
  before(async () => {
    h = await startMosip({ autoApproveMappingsAfterMs: 50 });
  });
  after(async () => h.close());

  test('a mapping request becomes approved on its own after the configured delay', async () => {
    const admin = h.pms(await h.adminToken());
    const fields = partnerFields('auth');
    await admin.registerPartner(fields);
    const pair = await generatePartnerCertificates(fields.organizationName, fields.partnerId);
    await admin.uploadCaCertificate(pair.caCertificatePem, 'AUTH');
    await admin.uploadPartnerCertificate({
      partnerId: fields.partnerId,
      certificateData: pair.certificatePem,
      partnerDomain: 'AUTH',
    });
    const { mappingKey } = await admin.requestPolicyMapping(fields.partnerId, POLICY, 'demo');
    assert.equal((await admin.findPolicyMapping(fields.partnerId, POLICY))?.status, 'InProgress');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await admin.findPolicyMapping(fields.partnerId, POLICY), { mappingKey, status: 'approved' });
    assert.equal(h.mosip.state.mappings.get(mappingKey)?.updatedBy, h.credentials.partnerAdminUser);
  });
});
