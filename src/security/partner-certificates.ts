// Sandbox-grade partner PKI for specs that bring no certificates: a CA and a partner
// certificate it signs, shaped to pass MOSIP keymanager's partner-certificate checks
// (chain to an uploaded CA, not self-signed, X.509 v3, RSA ≥ 2048, SHA-256, O= = organisation).
import { RSA_SHA256, generateRsaKeys, randomSerial, toPem, x509 } from './x509.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Escapes a value for an RFC 4514 distinguished name. */
function dnValue(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

export async function generatePartnerCertificates(
  organisation: string,
  commonName: string,
): Promise<{ caCertificatePem: string; certificatePem: string }> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + YEAR_MS);
  const caKeys = await generateRsaKeys();
  const caName = `CN=${dnValue(`${commonName} CA`)}, O=${dnValue(organisation)}`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: caName,
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
  const leafKeys = await generateRsaKeys();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${dnValue(commonName)}, O=${dnValue(organisation)}`,
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
  return { caCertificatePem: toPem(ca), certificatePem: toPem(leaf) };
}
