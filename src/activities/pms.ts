// Side effects on MOSIP PMS: the Auth and MISP partners with their certificates, the policy
// mapping and its decision, the MISP license and the API key (api-key.ts). Every activity finds before it
// creates, and treats PMS's "already exists" answers as "found", so a retry after a crash at
// any line creates nothing twice.
import { RemoteRejection } from '../clients/errors.js';
import { PmsClient, type PartnerType } from '../clients/pms.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { sha256Hex } from '../security/fingerprint.js';
import { generatePartnerCertificates } from '../security/partner-certificates.js';
import { currentActivityContext, guardedFor, adminPms, keymanager, runSecretSource, type ActivityDeps } from './context.js';
import { readSpecPemFile } from './spec-tls.js';
import { blockingFailure, mappingStillPending } from './failures.js';
import { ensureApiKey } from './api-key.js';
import { withReusedAdminPms } from './admin-session.js';
import type { PartnerKeyMaterial } from './credential-store.js';
import type { MappingDecision, CredentialsResult, LicenseResult, MappingResult, PartnerResult } from './types.js';

/** Partner certificates are for the AUTH domain for both Auth and MISP partners. */
const PARTNER_DOMAIN = 'AUTH';

type PartnerRole = 'authPartner' | 'mispPartner';

function isCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof RemoteRejection && codes.includes(err.code);
}

export function pmsActivities(deps: ActivityDeps) {
  /**
   * The spec's PEM files (read inside the deployment's secrets folder, like `file:` references:
   * they are uploaded to PMS, so they must not be any file of the worker's), else a pair kept in
   * the credential store (generated once, reused on retries).
   */
  async function partnerKeyMaterial(spec: DeploymentSpec, role: PartnerRole): Promise<PartnerKeyMaterial> {
    const partner = role === 'authPartner' ? spec.partners.auth : spec.partners.misp;
    if (partner.certificate) {
      const source = runSecretSource(deps, spec.deploymentId);
      const field = `partners.${role === 'authPartner' ? 'auth' : 'misp'}.certificate`;
      return {
        caCertificatePem: await readSpecPemFile(source, `${field}.caCertificateFile`, partner.certificate.caCertificateFile),
        certificatePem: await readSpecPemFile(source, `${field}.certificateFile`, partner.certificate.certificateFile),
      };
    }
    const stored = (await deps.credentials.read(spec.deploymentId))[role];
    if (stored) return stored;
    const generated = await generatePartnerCertificates(partner.organisation, partner.id);
    const material: PartnerKeyMaterial = { ...generated };
    await deps.credentials.update(spec.deploymentId, (c) => ({ ...c, [role]: c[role] ?? material }));
    return (await deps.credentials.read(spec.deploymentId))[role]!;
  }

  async function ensurePartner(spec: DeploymentSpec, pms: PmsClient, role: PartnerRole): Promise<PartnerResult> {
    const partner = role === 'authPartner' ? spec.partners.auth : spec.partners.misp;
    const partnerType: PartnerType = role === 'authPartner' ? 'Auth_Partner' : 'MISP_Partner';
    let created = false;
    let existing = await pms.getPartner(partner.id);
    if (!existing) {
      try {
        await pms.registerPartner({
          partnerId: partner.id,
          organizationName: partner.organisation,
          address: partner.address,
          contactNumber: partner.contactNumber,
          emailId: partner.email,
          partnerType,
          policyGroup: role === 'authPartner' ? spec.partners.auth.policyGroup : undefined,
        });
        created = true;
      } catch (err) {
        // An earlier attempt registered it and its answer was lost (PMS_PRT_051), or its request
        // landed while this one was on its way (PMS checks the e-mail first: PMS_PRT_011): look again.
        if (!(err instanceof RemoteRejection)) throw err;
        existing = await pms.getPartner(partner.id);
        if (!existing) throw err;
      }
    }
    if (existing && existing.partnerType.toLowerCase() !== partnerType.toLowerCase()) {
      throw blockingFailure('PartnerConflict', `PMS already has partner ${partner.id} of type ${existing.partnerType}, not ${partnerType}`, {
        system: 'pms',
        hint: `choose another partners.${role === 'authPartner' ? 'auth' : 'misp'}.id in the spec, then retry`,
      });
    }

    let signed = await pms.getPartnerCertificate(partner.id);
    let certificateId: string | undefined;
    if (!signed) {
      const material = await partnerKeyMaterial(spec, role);
      await pms.uploadCaCertificate(material.caCertificatePem, PARTNER_DOMAIN);
      const upload = await pms.uploadPartnerCertificate({ partnerId: partner.id, certificateData: material.certificatePem, partnerDomain: PARTNER_DOMAIN });
      signed = upload.signedCertificateData;
      certificateId = upload.certificateId;
      await deps.credentials.update(spec.deploymentId, (c) => ({ ...c, [role]: { ...(c[role] ?? material), signedCertificatePem: signed } }));
    }
    return { partnerId: partner.id, created, certificateId, signedCertificateFingerprint: sha256Hex(signed) };
  }

  return {
    /** Find-or-create the Auth Partner, upload its CA and certificate, keep the MOSIP-signed certificate. */
    async createAuthPartner(spec: DeploymentSpec): Promise<PartnerResult> {
      return guardedFor(spec, deps, async (secrets, deps) => ensurePartner(spec, await adminPms(spec, secrets, deps.http), 'authPartner'));
    },

    async createMispPartner(spec: DeploymentSpec): Promise<PartnerResult> {
      return guardedFor(spec, deps, async (secrets, deps) => ensurePartner(spec, await adminPms(spec, secrets, deps.http), 'mispPartner'));
    },

    /** Find-or-request the Auth Partner ↔ policy mapping; a rejected one is requested again. */
    async requestAuthPolicyMapping(spec: DeploymentSpec): Promise<MappingResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const pms = await adminPms(spec, secrets, deps.http);
        const { id, policy } = spec.partners.auth;
        const existing = await pms.findPolicyMapping(id, policy);
        if (existing && existing.status !== 'rejected') return { ...existing, created: false };
        try {
          const { mappingKey } = await pms.requestPolicyMapping(id, policy, `OpenG2P deployment ${spec.deploymentId} logs in with e-Signet`);
          return { mappingKey, status: 'InProgress', created: true };
        } catch (err) {
          if (!isCode(err, 'PMS_PRT_053')) throw err;
          const found = await pms.findPolicyMapping(id, policy);
          if (!found) throw err;
          return { ...found, created: false };
        }
      });
    },

    async requestMispLicense(spec: DeploymentSpec): Promise<LicenseResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const pms = await adminPms(spec, secrets, deps.http);
        const mispId = spec.partners.misp.id;
        let created = false;
        let license = await pms.getMispLicense(mispId);
        let expiry: string | undefined;
        if (!license) {
          try {
            const issued = await pms.createMispLicense(mispId);
            license = issued;
            expiry = issued.licenseKeyExpiry;
            created = true;
          } catch (err) {
            if (!isCode(err, 'PMS_MSP_416')) throw err;
            license = await pms.getMispLicense(mispId);
            if (!license) throw err;
          }
        }
        const licenseKey = secrets.remember(license.licenseKey);
        await deps.credentials.update(spec.deploymentId, (c) => ({ ...c, mispLicenseKey: licenseKey }));
        return { mispPartnerId: mispId, licenseKeyFingerprint: sha256Hex(licenseKey), licenseKeyExpiry: expiry, created };
      });
    },

    /**
     * Returns once PMS shows the mapping decided (approval or rejection given in the PMS portal).
     * While it is still InProgress the attempt fails as a benign, retryable `MappingStillPending`
     * and Temporal retries it at the spec's poll interval: the polling lives in the server's retry
     * timer, not in the workflow, so a waiting run adds no history and no workflow task per poll
     * and can leave the worker's cache until something happens to it.
     */
    async awaitPolicyMappingDecision(spec: DeploymentSpec, mappingKey: string): Promise<MappingDecision> {
      // PMS was read when the mapping was requested, a moment ago. Temporal cannot start an
      // activity later, and a workflow timer before it would cost every waiting run a workflow
      // task (a replay, once it left the cache) when it fires: so the first attempt only arms the
      // retry schedule and the first check is one poll interval after the wait began.
      if (currentActivityContext()?.info.attempt === 1) throw mappingStillPending(mappingKey, spec.approval.pollInterval);
      return guardedFor(spec, deps, async (secrets, deps) => {
        const found = await withReusedAdminPms(spec, secrets, deps.http, (pms) => pms.findPolicyMapping(spec.partners.auth.id, spec.partners.auth.policy));
        if (!found || found.mappingKey !== mappingKey) {
          throw blockingFailure('MappingMissing', `PMS no longer shows policy mapping ${mappingKey} for ${spec.partners.auth.id}`, { system: 'pms' });
        }
        if (found.status === 'InProgress') throw mappingStillPending(mappingKey, spec.approval.pollInterval);
        return { status: found.status };
      });
    },

    /** Records the Partner Admin's decision on PMS (idempotent: the same decision twice is fine). */
    async decidePolicyMapping(spec: DeploymentSpec, mappingKey: string, decision: 'Approved' | 'Rejected'): Promise<void> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const pms = await adminPms(spec, secrets, deps.http);
        await pms.decidePolicyMapping(mappingKey, decision);
      });
    },

    /** API key (as the partner itself), MISP license, signed and IDA certificates → the worker's credential store. */
    async collectCredentials(spec: DeploymentSpec): Promise<CredentialsResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const { key: apiKey, deactivatedLabels } = await ensureApiKey(spec, secrets, deps);
        const ida = await (await keymanager(spec, secrets, deps.http)).getCertificate(spec.mosip.idaCertificate.applicationId, spec.mosip.idaCertificate.referenceId);
        const pms = await adminPms(spec, secrets, deps.http);
        const signed = await pms.getPartnerCertificate(spec.partners.auth.id);
        if (!signed) throw blockingFailure('CertificateMissing', `PMS has no certificate for ${spec.partners.auth.id}`, { system: 'pms', code: 'PMS_PRT_108' });
        const stored = await deps.credentials.update(spec.deploymentId, (c) => ({ ...c, idaCertificatePem: ida.certificate }));
        const licenseKey = stored.mispLicenseKey ?? (await pms.getMispLicense(spec.partners.misp.id))?.licenseKey;
        if (!licenseKey) throw blockingFailure('LicenseMissing', `PMS shows no MISP license for ${spec.partners.misp.id}`, { system: 'pms' });
        return {
          apiKeyFingerprint: sha256Hex(apiKey.value),
          apiKeyLabel: apiKey.label,
          ...(deactivatedLabels.length ? { deactivatedApiKeyLabels: deactivatedLabels } : {}),
          mispLicenseFingerprint: sha256Hex(licenseKey),
          signedPartnerCertificateFingerprint: sha256Hex(signed),
          idaCertificateFingerprint: sha256Hex(ida.certificate),
          storedAt: deps.credentials.fileFor(spec.deploymentId),
        };
      });
    },
  };
}
