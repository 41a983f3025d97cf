import { createHash, X509Certificate } from 'node:crypto';

/** SHA-256 hex of a value: how secrets are named in history and audit. */
export function sha256Hex(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/** The DER bytes of the first certificate of a PEM text (its line breaks and trailing newlines do not matter). */
export function certificateDer(pem: string): Uint8Array {
  const body = PEM_CERTIFICATE.exec(pem)?.[1]?.replace(/\s+/g, '');
  if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new Error('not a PEM certificate');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/**
 * A certificate's fingerprint: SHA-256 hex over its DER bytes, what `openssl x509 -noout
 * -fingerprint -sha256` shows (without the colons), so the same certificate keeps one
 * fingerprint however its PEM is wrapped or however many newlines trail it.
 */
export function certificateFingerprint(pem: string): string {
  return sha256Hex(certificateDer(pem));
}

/** When a certificate is valid (ISO times), for the people who approve on its evidence. */
export function certificateValidity(pem: string): { notBefore: string; notAfter: string } {
  const cert = new X509Certificate(Buffer.from(certificateDer(pem)));
  return { notBefore: new Date(cert.validFrom).toISOString(), notAfter: new Date(cert.validTo).toISOString() };
}
