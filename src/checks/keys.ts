// Key fingerprints: the RFC 7638 thumbprint of a public key, whichever form it comes in (a JWK
// as e-Signet or PMS stores it, or the private key file OpenG2P holds, whose public half is taken).
import { calculateJwkThumbprint, exportJWK, importPKCS8, type JWK } from 'jose';
import { createPrivateKey, createPublicKey } from 'node:crypto';

export async function jwkThumbprint(jwk: Record<string, unknown>): Promise<string> {
  const { kty, n, e, crv, x, y } = jwk as JWK;
  return calculateJwkThumbprint({ kty, n, e, crv, x, y } as JWK, 'sha256');
}

/** The public half's thumbprint of a PEM private key (PKCS#8 or PKCS#1). */
export async function privateKeyThumbprint(pem: string): Promise<string> {
  let publicJwk: JWK;
  try {
    publicJwk = await exportJWK(createPublicKey(createPrivateKey(pem)));
  } catch {
    // jose's importer for PKCS#8 keys Node cannot read in its own right.
    publicJwk = await exportJWK(await importPKCS8(pem, 'RS256', { extractable: true }));
    delete publicJwk.d;
  }
  return jwkThumbprint(publicJwk as Record<string, unknown>);
}
