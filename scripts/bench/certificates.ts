// Partner certificates the bench's specs bring, as organisations do in production (the
// product generates a CA and certificate per partner only when a spec has none: four RSA-2048
// key generations per onboarding, ~0.7 CPU-seconds, which would drown every other figure).
// One CA and one leaf key for all partners; each partner's certificate names its organisation.
// The worker reads a spec's certificate files only in the deployment's folder of its policy's
// secretsDir, so they are written there and named relative to it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateRsaKeys, toPem } from '../../src/security/x509.js';
import { issuePartnerCa, issuePartnerCertificate } from '../../src/security/partner-certificates.js';

export interface PartnerCertificateFiles {
  caCertificateFile: string;
  certificateFile: string;
}

export interface CertificateIssuer {
  /** Writes the PEM files for a partner of `organisation` into `deploymentId`'s folder; names relative to it. */
  filesFor(deploymentId: string, partnerId: string, organisation: string): Promise<PartnerCertificateFiles>;
}

/** `secretsDir`: the worker policy's. */
export async function certificateIssuer(secretsDir: string): Promise<CertificateIssuer> {
  const [ca, leafKeys] = await Promise.all([
    issuePartnerCa('g2p-onboard bench partner CA', 'g2p-onboard bench'),
    generateRsaKeys(),
  ]);
  const caCertificateFile = 'bench-ca.pem';
  return {
    async filesFor(deploymentId, partnerId, organisation) {
      const dir = join(secretsDir, deploymentId);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(join(dir, caCertificateFile), toPem(ca.certificate));
      const leaf = await issuePartnerCertificate(ca, leafKeys.publicKey, partnerId, organisation);
      const certificateFile = `${partnerId}.pem`;
      await writeFile(join(dir, certificateFile), toPem(leaf));
      return { caCertificateFile, certificateFile };
    },
  };
}
