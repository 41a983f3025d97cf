// COSE_Key (RFC 9052/9053) ⇄ JWK for passkey public keys: an authenticator reports its key as a
// CBOR-encoded COSE_Key at enrollment, the worker's identity registry and the workflow use JWKs.
// Only what passkeys use: EC2 P-256 (ES256, alg -7) and OKP Ed25519 (EdDSA, alg -8), encoded
// as CBOR maps of small integers and byte strings, so a minimal CBOR reader/writer is enough.
import { fromBase64Url, toBase64Url, type SignerJwk } from './jws.js';

export class CoseKeyError extends Error {
  override name = 'CoseKeyError';
}

type CborValue = number | Uint8Array | string | Map<CborValue, CborValue>;

function readCbor(bytes: Uint8Array, at: number): [CborValue, number] {
  const head = bytes[at];
  if (head === undefined) throw new CoseKeyError('the COSE key is cut short');
  const major = head >> 5;
  let info = head & 0x1f;
  let next = at + 1;
  let length: number;
  if (info < 24) length = info;
  else if (info === 24) length = bytes[next++]!;
  else if (info === 25) {
    length = (bytes[next]! << 8) | bytes[next + 1]!;
    next += 2;
  } else throw new CoseKeyError('the COSE key holds values this reader does not take');
  info = length;
  switch (major) {
    case 0:
      return [info, next];
    case 1:
      return [-1 - info, next];
    case 2:
    case 3: {
      if (next + info > bytes.length) throw new CoseKeyError('the COSE key is cut short');
      const chunk = bytes.subarray(next, next + info);
      return [major === 2 ? chunk : new TextDecoder().decode(chunk), next + info];
    }
    case 5: {
      const map = new Map<CborValue, CborValue>();
      for (let i = 0; i < info; i++) {
        const [key, afterKey] = readCbor(bytes, next);
        const [value, afterValue] = readCbor(bytes, afterKey);
        map.set(key, value);
        next = afterValue;
      }
      return [map, next];
    }
    default:
      throw new CoseKeyError('the COSE key holds values this reader does not take');
  }
}

/** A COSE_Key (CBOR bytes) → the JWK the registry and the workflow verify with. */
export function coseToJwk(cose: Uint8Array): SignerJwk {
  const [map] = readCbor(cose, 0);
  if (!(map instanceof Map)) throw new CoseKeyError('a COSE key is a CBOR map');
  const bytesOf = (label: number, size: number): string => {
    const v = map.get(label);
    if (!(v instanceof Uint8Array) || v.length !== size)
      throw new CoseKeyError(`the COSE key's member ${label} is wrong`);
    return toBase64Url(v);
  };
  const kty = map.get(1);
  const crv = map.get(-1);
  if (kty === 2 && crv === 1) return { kty: 'EC', crv: 'P-256', x: bytesOf(-2, 32), y: bytesOf(-3, 32) };
  if (kty === 1 && crv === 6) return { kty: 'OKP', crv: 'Ed25519', x: bytesOf(-2, 32) };
  throw new CoseKeyError(
    `passkeys must use ES256 (P-256) or EdDSA (Ed25519) keys (COSE kty ${String(kty)}, crv ${String(crv)})`,
  );
}

function cborHead(major: number, value: number): number[] {
  if (value < 24) return [(major << 5) | value];
  if (value < 256) return [(major << 5) | 24, value];
  return [(major << 5) | 25, value >> 8, value & 0xff];
}

function cborInt(n: number): number[] {
  return n >= 0 ? cborHead(0, n) : cborHead(1, -1 - n);
}

function cborBytes(b: Uint8Array): number[] {
  return [...cborHead(2, b.length), ...b];
}

/** The JWK → its COSE_Key bytes (what WebAuthn libraries verify sign-ins with). */
export function jwkToCose(jwk: SignerJwk): Uint8Array<ArrayBuffer> {
  const members: number[][] =
    jwk.kty === 'EC'
      ? [cborInt(1), cborInt(2), cborInt(3), cborInt(-7), cborInt(-1), cborInt(1)]
      : [cborInt(1), cborInt(1), cborInt(3), cborInt(-8), cborInt(-1), cborInt(6)];
  members.push(cborInt(-2), cborBytes(fromBase64Url(jwk.x)));
  if (jwk.kty === 'EC') members.push(cborInt(-3), cborBytes(fromBase64Url(jwk.y)));
  return new Uint8Array([...cborHead(5, members.length / 2), ...members.flat()]);
}
