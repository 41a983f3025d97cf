// Compact JWS verification shared by signed decisions and signed commands: deterministic and
// synchronous (pure-JS curves, no node: modules), so a workflow's update validator can verify a
// token before anything reaches history.
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';

export type SignerJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string } | { kty: 'EC'; crv: 'P-256'; x: string; y: string };

/** A person whose signatures a run accepts: a name and the public key the worker's registry gives it. */
export interface KnownSigner {
  name: string;
  publicKey: SignerJwk;
  /** RFC 7638 thumbprint of the key (names it in the audit trail). */
  thumbprint?: string;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url → bytes (no Buffer/atob: this runs inside the workflow sandbox too). */
export function fromBase64Url(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(clean)) throw new Error('not base64url');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let i = 0;
  for (const ch of clean) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[i++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, i);
}

/** bytes → base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += B64[(value >> bits) & 63];
    }
  }
  if (bits > 0) out += B64[(value << (6 - bits)) & 63];
  return out;
}

export type Checked<C> = { ok: true; claims: C; signer: KnownSigner } | { ok: false; reason: string };

const MAX_TOKEN_LENGTH = 8192;

/**
 * Parses a compact JWS of type `typ`, finds the signer its payload names (`signerField`) among
 * `signers`, and verifies the signature with that signer's key. Never throws.
 */
export function verifySigned<C extends Record<string, unknown>>(
  token: unknown,
  typ: string,
  signerField: keyof C & string,
  signers: readonly KnownSigner[],
  role: string,
): Checked<C> {
  const fail = (reason: string): Checked<C> => ({ ok: false, reason });
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
    return fail('it must be a signed token (compact JWS)');
  const parts = token.split('.');
  if (parts.length !== 3) return fail('it must be a signed token (compact JWS): unsigned messages are refused');
  let header: { alg?: string; typ?: string };
  let claims: C;
  try {
    header = JSON.parse(utf8(fromBase64Url(parts[0]!)));
    claims = JSON.parse(utf8(fromBase64Url(parts[1]!)));
  } catch {
    return fail('the token is malformed');
  }
  if (header.typ !== typ) return fail(`the token is not a ${typ} (typ ${String(header.typ)})`);
  const name = claims?.[signerField];
  if (typeof name !== 'string' || !name) return fail('the token names no signer');
  const signer = signers.find((s) => s.name === name);
  if (!signer) {
    const plural = `${role.replace(/^an? /, '')}s`;
    return fail(
      `${name} is not ${role} of this run in the worker's identity registry${signers.length ? ` (${plural}: ${signers.map((s) => s.name).join(', ')})` : ''}`,
    );
  }
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(parts[2]!);
  } catch {
    return fail('the signature is malformed');
  }
  if (!verifySignature(header.alg, signer.publicKey, new TextEncoder().encode(`${parts[0]}.${parts[1]}`), signature)) {
    return fail(`the signature does not verify with ${name}'s public key from the worker's identity registry`);
  }
  return { ok: true, claims, signer };
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function verifySignature(alg: string | undefined, key: SignerJwk, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.kty === 'OKP' && (alg === 'EdDSA' || alg === 'Ed25519')) {
      return ed25519.verify(signature, message, fromBase64Url(key.x));
    }
    if (key.kty === 'EC' && alg === 'ES256') {
      const point = new Uint8Array(65);
      point[0] = 0x04;
      point.set(fromBase64Url(key.x), 1);
      point.set(fromBase64Url(key.y), 33);
      return p256.verify(signature, message, point, { lowS: false });
    }
  } catch {
    return false;
  }
  return false;
}

const CLOCK_SKEW_MS = 60_000;

/** Why a signing time is refused at `nowMs`, or undefined when it is fresh enough. */
export function staleness(iat: unknown, nowMs: number | undefined, maxAgeMs: number): string | undefined {
  if (typeof iat !== 'number') return 'it has no signing time';
  if (nowMs === undefined) return undefined;
  const ageMs = nowMs - iat * 1000;
  if (ageMs > maxAgeMs)
    return `it was signed ${Math.round(ageMs / 1000)} s ago: stale signatures are refused, sign a fresh one`;
  if (ageMs < -CLOCK_SKEW_MS) return "it is signed in the future: check the signer's clock";
  return undefined;
}
