// Partner certificates the bench's specs bring, as organisations do in production (the
// product generates a CA and certificate per partner only when a spec has none: four RSA-2048
// key generations per onboarding, ~0.7 CPU-seconds, which would drown every other figure).
// One CA and one leaf key for all partners; each partner's certificate names its organisation.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RSA_SHA256, generateRsaKeys, randomSerial, toPem, x509 } from '../../src/security/x509.js';

export interface PartnerCertificateFiles {
  caCertificateFile: string;
  certificateFile: string;
}

export interface CertificateIssuer {
  /** Writes (once) and returns the PEM files for a partner of `organisation`. */
  filesFor(partnerId: string, organisation: string): Promise<PartnerCertificateFiles>;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

export async function certificateIssuer(dir: string): Promise<CertificateIssuer> {
  await mkdir(dir, { recursive: true });
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + YEAR_MS);
  const [caKeys, leafKeys] = await Promise.all([generateRsaKeys(), generateRsaKeys()]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=g2p-onboard bench partner CA, O=g2p-onboard bench',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caCertificateFile = join(dir, 'bench-ca.pem');
  await writeFile(caCertificateFile, toPem(ca));
  return {
    async filesFor(partnerId, organisation) {
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerial(),
        subject: `CN=${partnerId}, O=${organisation}`,
        issuer: ca.subject,
        notBefore,
        notAfter,
        publicKey: leafKeys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: RSA_SHA256,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        ],
      });
      const certificateFile = join(dir, `${partnerId}.pem`);
      await writeFile(certificateFile, toPem(leaf));
      return { caCertificateFile, certificateFile };
    },
  };
}
