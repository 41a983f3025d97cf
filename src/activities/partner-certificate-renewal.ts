// Partner certificates renewed before they expire: a new certificate (the spec's renewed PEM
// files, else a pair generated and kept on the worker as onboarding does) uploaded to PMS, which
// re-signs it; the MOSIP-signed one is kept. The new pair is written down before the upload, so a
// retry after a crash uploads the same certificate again (PMS accepts a re-upload: that is renewal).
import { x509 } from '../security/x509.js';
import { certificateFingerprint } from '../security/fingerprint.js';
import { generatePartnerCertificates } from '../security/partner-certificates.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, runSecretSource, type ActivityDeps } from './context.js';
import type { PartnerKeyMaterial } from './credential-store.js';
import { blockingFailure } from './failures.js';
import { adminPms } from './mosip-session.js';
import { readSpecPemFile } from './spec-tls.js';

type PartnerRole = 'authPartner' | 'mispPartner';

export interface RenewedCertificate {
  partnerId: string;
  signedCertificateFingerprint: string;
  notAfter: string;
}

export function partnerCertificateRenewalActivities(deps: ActivityDeps) {
  /** The certificate to upload: the spec's files, else the pending generated pair (made once). */
  async function renewalMaterial(spec: DeploymentSpec, role: PartnerRole): Promise<PartnerKeyMaterial> {
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
    const pending = (await deps.credentials.read(spec.deploymentId)).pendingCertificates?.[role];
    if (pending) return pending;
    const generated = await generatePartnerCertificates(partner.organisation, partner.id);
    const saved = await deps.credentials.update(spec.deploymentId, (c) => ({
      ...c,
      pendingCertificates: { ...c.pendingCertificates, [role]: c.pendingCertificates?.[role] ?? generated },
    }));
    return saved.pendingCertificates![role]!;
  }

  /** `replaces`: the signed certificate the run found; once the worker holds another, the renewal happened. */
  async function renew(
    spec: DeploymentSpec,
    role: PartnerRole,
    replaces: string | undefined,
  ): Promise<RenewedCertificate> {
    return guardedFor(spec, deps, async (secrets, deps) => {
      const partnerId = role === 'authPartner' ? spec.partners.auth.id : spec.partners.misp.id;
      const held = (await deps.credentials.read(spec.deploymentId))[role]?.signedCertificatePem;
      if (held && certificateFingerprint(held) !== replaces)
        return {
          partnerId,
          signedCertificateFingerprint: certificateFingerprint(held),
          notAfter: new x509.X509Certificate(held).notAfter.toISOString(),
        };
      const material = await renewalMaterial(spec, role);
      const pms = await adminPms(spec, secrets, deps.http);
      await pms.uploadCaCertificate(material.caCertificatePem, 'AUTH');
      const { signedCertificateData: signed } = await pms.uploadPartnerCertificate({
        partnerId,
        certificateData: material.certificatePem,
        partnerDomain: 'AUTH',
      });
      await deps.credentials.update(spec.deploymentId, (c) => {
        const { [role]: _done, ...left } = c.pendingCertificates ?? {};
        return { ...c, [role]: { ...material, signedCertificatePem: signed }, pendingCertificates: left };
      });
      return {
        partnerId,
        signedCertificateFingerprint: certificateFingerprint(signed),
        notAfter: new x509.X509Certificate(signed).notAfter.toISOString(),
      };
    });
  }

  return {
    async renewAuthPartnerCertificate(spec: DeploymentSpec, replaces: string | undefined): Promise<RenewedCertificate> {
      return renew(spec, 'authPartner', replaces);
    },
    async renewMispPartnerCertificate(spec: DeploymentSpec, replaces: string | undefined): Promise<RenewedCertificate> {
      return renew(spec, 'mispPartner', replaces);
    },

    /** PMS serves the certificates the worker holds as the partners' signed ones. */
    async verifyPartnerCertificates(spec: DeploymentSpec): Promise<{ checked: string[] }> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const stored = await deps.credentials.read(spec.deploymentId);
        const pms = await adminPms(spec, secrets, deps.http);
        const wrong: string[] = [];
        const checked: string[] = [];
        for (const [role, partnerId] of [
          ['authPartner', spec.partners.auth.id],
          ['mispPartner', spec.partners.misp.id],
        ] as const) {
          const served = await pms.getPartnerCertificate(partnerId);
          const held = stored[role]?.signedCertificatePem;
          if (!served || !held || certificateFingerprint(served) !== certificateFingerprint(held))
            wrong.push(
              `${partnerId}: PMS serves ${served ? `sha256:${certificateFingerprint(served).slice(0, 16)}…` : 'no certificate'}, not the renewed one`,
            );
          else checked.push(partnerId);
        }
        if (wrong.length)
          throw blockingFailure('VerificationFailed', wrong.join('; '), {
            system: 'pms',
            hint: 'inspect the partner certificates on PMS, then `g2p-onboard retry`',
          });
        return { checked };
      });
    },
  };
}
