// e-Signet's own signing key (keymanager app id OIDC_SERVICE) and the checks it applies to
// relying parties' public keys at registration.
import { createHash, webcrypto } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { randomSerial, x509 } from '../../src/security/x509.js';
import type { EsignetVersion } from '../context.js';

export interface SigningKeys {
  kid: string;
  /** The JWKS entry: public RSA parameters plus the certificate, as keymanager publishes it. */
  jwk: Record<string, unknown>;
  /** Compact JWS over the JSON payload, header `{alg, kid}`: RS256 unless told (1.7+ tokens are PS256). */
  sign(payload: Record<string, unknown>, alg?: 'RS256' | 'PS256'): Promise<string>;
}

/** `cn`: whose key it is (e-Signet's OIDC_SERVICE, or the identity system's KYC signing key). */
export async function createSigningKeys(cn = 'OIDC_SERVICE'): Promise<SigningKeys> {
  const keys = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(keys.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  // keymanager publishes its keys from X.509 certificates, so the JWKS carries x5c and its thumbprint.
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=${cn}, O=e-Signet sandbox`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter,
      keys: keys as unknown as CryptoKeyPair,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    },
    webcrypto as unknown as Crypto,
  );
  const der = Buffer.from(cert.rawData);
  const jwk = {
    kid,
    kty: 'RSA',
    e: publicJwk.e,
    n: publicJwk.n,
    x5c: [der.toString('base64')],
    'x5t#S256': createHash('sha256').update(der).digest('base64url'),
    exp: Math.floor(notAfter.getTime() / 1000),
  };
  // WebCrypto binds a key to one algorithm: the same RSA key, imported again for RSASSA-PSS.
  const pssKey = await importJWK(await exportJWK(keys.privateKey), 'PS256');
  return {
    kid,
    jwk,
    sign: (payload, alg = 'RS256') =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg, kid })
        .sign(alg === 'PS256' ? pssKey : keys.privateKey),
  };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const EC_ALG: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

export interface RegisteredKey {
  /** What e-Signet stores: jose4j's `toJson()`, i.e. public parameters plus kid/use/alg when given. */
  stored: Record<string, unknown>;
  /** The value of the database's unique index (`public_key->>'n'`); EC keys have none. */
  uniqueKey?: string;
}

/**
 * `IdentityProviderUtil.getJWKString`: 1.4.1 parses every key as RSA (n, e required, kty not looked at);
 * 1.7.0 accepts kty RSA or EC. Anything unparseable is `invalid_public_key`.
 */
export async function registerPublicKey(
  jwk: Record<string, unknown>,
  version: EsignetVersion,
): Promise<RegisteredKey | undefined> {
  const kty = jwk['kty'];
  const isEc = version === '1.7.0' && kty === 'EC';
  if (version === '1.7.0' && kty !== 'RSA' && kty !== 'EC') return undefined;
  const required = isEc ? ['crv', 'x', 'y'] : ['n', 'e'];
  if (!required.every((k) => typeof jwk[k] === 'string' && BASE64URL.test(jwk[k] as string))) return undefined;
  const publicParams: JWK = isEc
    ? { kty: 'EC', crv: jwk['crv'] as string, x: jwk['x'] as string, y: jwk['y'] as string }
    : { kty: 'RSA', n: jwk['n'] as string, e: jwk['e'] as string };
  const alg = isEc ? EC_ALG[publicParams.crv!] : 'RS256';
  if (!alg) return undefined;
  try {
    await importJWK(publicParams, alg);
  } catch {
    return undefined;
  }
  const stored: Record<string, unknown> = { kty: publicParams.kty };
  for (const k of ['kid', 'use', 'alg'] as const) if (typeof jwk[k] === 'string') stored[k] = jwk[k];
  Object.assign(stored, publicParams);
  return { stored, uniqueKey: isEc ? undefined : publicParams.n };
}
