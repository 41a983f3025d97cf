// Sandbox-grade partner PKI for specs that bring no certificates: a CA and a partner
// certificate it signs, shaped to pass MOSIP keymanager's partner-certificate checks
// (chain to an uploaded CA, not self-signed, X.509 v3, RSA ≥ 2048, SHA-256, O= = organisation).
import { RSA_SHA256, generateRsaKeys, randomSerial, toPem, x509 } from './x509.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Escapes a value for an RFC 4514 distinguished name. */
function dnValue(value: string): string {
  return value
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/** A validity window starting a minute ago (clock skew) and lasting a year. */
function validity(): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + YEAR_MS) };
}

export interface PartnerCa {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
}

/** A self-signed CA able to sign partner certificates. */
export async function issuePartnerCa(commonName: string, organisation: string): Promise<PartnerCa> {
  const keys = await generateRsaKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${dnValue(commonName)}, O=${dnValue(organisation)}`,
    ...validity(),
    keys,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys };
}

/** A partner certificate for `publicKey`, signed by `ca`, naming the organisation as keymanager requires. */
export async function issuePartnerCertificate(
  ca: PartnerCa,
  publicKey: CryptoKey,
  commonName: string,
  organisation: string,
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${dnValue(commonName)}, O=${dnValue(organisation)}`,
    issuer: ca.certificate.subject,
    ...validity(),
    publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
}

export async function generatePartnerCertificates(
  organisation: string,
  commonName: string,
): Promise<{ caCertificatePem: string; certificatePem: string }> {
  const ca = await issuePartnerCa(`${commonName} CA`, organisation);
  const leafKeys = await generateRsaKeys();
  const leaf = await issuePartnerCertificate(ca, leafKeys.publicKey, commonName, organisation);
  return { caCertificatePem: toPem(ca.certificate), certificatePem: toPem(leaf) };
}
