// createAuthPartner and createMispPartner: the two partners on MOSIP PMS with their
// certificates. Find before create, and PMS's "already exists" answers read as "found", so a
// retry after a crash at any line registers nothing twice.
import { RemoteRejection } from '../clients/errors.js';
import type { PmsClient, PartnerType } from '../clients/pms.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { certificateFingerprint, certificateValidity } from '../security/fingerprint.js';
import { generatePartnerCertificates } from '../security/partner-certificates.js';
import { guardedFor, runSecretSource, type ActivityDeps } from './context.js';
import { adminPms } from './mosip-session.js';
import { readSpecPemFile } from './spec-tls.js';
import { blockingFailure } from './failures.js';
import type { PartnerKeyMaterial } from './credential-store.js';
import type { PartnerResult } from './types.js';

/** Partner certificates are for the AUTH domain for both Auth and MISP partners. */
const PARTNER_DOMAIN = 'AUTH';

type PartnerRole = 'authPartner' | 'mispPartner';

export function partnerActivities(deps: ActivityDeps) {
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
        caCertificatePem: await readSpecPemFile(
          source,
          `${field}.caCertificateFile`,
          partner.certificate.caCertificateFile,
        ),
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
      throw blockingFailure(
        'PartnerConflict',
        `PMS already has partner ${partner.id} of type ${existing.partnerType}, not ${partnerType}`,
        {
          system: 'pms',
          hint: `choose another partners.${role === 'authPartner' ? 'auth' : 'misp'}.id in the spec, then retry`,
        },
      );
    }

    let signed = await pms.getPartnerCertificate(partner.id);
    let certificateId: string | undefined;
    if (!signed) {
      const material = await partnerKeyMaterial(spec, role);
      await pms.uploadCaCertificate(material.caCertificatePem, PARTNER_DOMAIN);
      const upload = await pms.uploadPartnerCertificate({
        partnerId: partner.id,
        certificateData: material.certificatePem,
        partnerDomain: PARTNER_DOMAIN,
      });
      signed = upload.signedCertificateData;
      certificateId = upload.certificateId;
      await deps.credentials.update(spec.deploymentId, (c) => ({
        ...c,
        [role]: { ...(c[role] ?? material), signedCertificatePem: signed },
      }));
    }
    return {
      partnerId: partner.id,
      created,
      certificateId,
      signedCertificateFingerprint: certificateFingerprint(signed),
      signedCertificateValidity: certificateValidity(signed),
    };
  }

  return {
    /** Find-or-create the Auth Partner, upload its CA and certificate, keep the MOSIP-signed certificate. */
    async createAuthPartner(spec: DeploymentSpec): Promise<PartnerResult> {
      return guardedFor(spec, deps, async (secrets, deps) =>
        ensurePartner(spec, await adminPms(spec, secrets, deps.http), 'authPartner'),
      );
    },

    async createMispPartner(spec: DeploymentSpec): Promise<PartnerResult> {
      return guardedFor(spec, deps, async (secrets, deps) =>
        ensurePartner(spec, await adminPms(spec, secrets, deps.http), 'mispPartner'),
      );
    },
  };
}
