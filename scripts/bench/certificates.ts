// Partner certificates the bench's specs bring, as organisations do in production (the
// product generates a CA and certificate per partner only when a spec has none: four RSA-2048
// key generations per onboarding, ~0.7 CPU-seconds, which would drown every other figure).
// One CA and one leaf key for all partners; each partner's certificate names its organisation.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateRsaKeys, toPem } from '../../src/security/x509.js';
import { issuePartnerCa, issuePartnerCertificate } from '../../src/security/partner-certificates.js';

export interface PartnerCertificateFiles {
  caCertificateFile: string;
  certificateFile: string;
}

export interface CertificateIssuer {
  /** Writes (once) and returns the PEM files for a partner of `organisation`. */
  filesFor(partnerId: string, organisation: string): Promise<PartnerCertificateFiles>;
}

export async function certificateIssuer(dir: string): Promise<CertificateIssuer> {
  await mkdir(dir, { recursive: true });
  const [ca, leafKeys] = await Promise.all([issuePartnerCa('g2p-onboard bench partner CA', 'g2p-onboard bench'), generateRsaKeys()]);
  const caCertificateFile = join(dir, 'bench-ca.pem');
  await writeFile(caCertificateFile, toPem(ca.certificate));
  return {
    async filesFor(partnerId, organisation) {
      const leaf = await issuePartnerCertificate(ca, leafKeys.publicKey, partnerId, organisation);
      const certificateFile = join(dir, `${partnerId}.pem`);
      await writeFile(certificateFile, toPem(leaf));
      return { caCertificateFile, certificateFile };
    },
  };
}
