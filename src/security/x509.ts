// The project's one entry to @peculiar/x509: loads the Reflect shim first, and holds the
// RSA parameters every sandbox and product certificate uses.
import './reflect-metadata-shim.js';
import * as x509 from '@peculiar/x509';

export { x509 };

/** RSASSA-PKCS1-v1_5 with SHA-256 over a 2048-bit key: what MOSIP keymanager accepts (SHA2, ≥ 2048). */
export const RSA_SHA256 = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

export async function generateRsaKeys(modulusLength = 2048): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ ...RSA_SHA256, modulusLength }, true, ['sign', 'verify']);
}

/** A random positive serial number (hex), as CAs issue them. */
export function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** PEM with `\n` line breaks and a trailing newline, as keymanager returns it. */
export function toPem(cert: x509.X509Certificate): string {
  return cert.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n';
}

/** `O=` (first organisation attribute) of a distinguished name, or '' when it has none. */
export function organisationOf(name: x509.Name): string {
  return name.getField('O')[0] ?? '';
}

/** X.509 version (1, 2 or 3) read from the DER: @peculiar/x509 does not expose it. */
export function certificateVersion(cert: x509.X509Certificate): number {
  const der = new Uint8Array(cert.rawData);
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] EXPLICIT version OPTIONAL, ... } }
  let offset = skipHeader(der, 0);
  offset = skipHeader(der, offset);
  if (der[offset] !== 0xa0) return 1;
  offset = skipHeader(der, offset);
  if (der[offset] !== 0x02) return 1;
  const length = der[offset + 1]!;
  return der[offset + 1 + length]! + 1;
}

function skipHeader(der: Uint8Array, offset: number): number {
  const first = der[offset + 1]!;
  return offset + 2 + (first & 0x80 ? first & 0x7f : 0);
}
