// A Partner Admin's decision signed with a passkey (WebAuthn): the authenticator signs
// authenticatorData || SHA-256(clientDataJSON), and clientDataJSON carries as its challenge the
// SHA-256 of the decision payload (the same claims a JWS decision holds). So the decision is
// bound to the run, the approver, the comment, the time and a nonce by the approver's own
// authenticator, and whoever carries it (the approvals page) cannot change or make one up.
// Deterministic and synchronous, pure JS (noble), no node: modules: the workflow's update
// validator runs it. Assertions carry no CBOR (authenticatorData of a get() is fixed bytes, the
// keys arrive as JWKs from the worker's registry), so there is nothing to decode but JSON.
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url, type KnownSigner, type SignerJwk } from './jws.js';

/** A passkey the worker's identity registry holds for a person, as a run records it. */
export interface TrustedPasskey {
  /** The credential id, base64url (as the authenticator reports it). */
  credentialId: string;
  /** Its public key: P-256 (COSE ES256) or Ed25519 (COSE EdDSA). */
  publicKey: SignerJwk;
  /** RFC 7638 thumbprint of `publicKey`. */
  thumbprint: string;
  /** The WebAuthn relying party id it was enrolled for (the page's host name). */
  rpId: string;
  /** The page origins an assertion may come from (https, or http on localhost for the demo). */
  origins: string[];
}

/** A decision as the page sends it: the payload, and the authenticator's assertion over its hash. */
export interface PasskeyAssertion {
  /** The decision claims as JSON: exactly the bytes whose SHA-256 is the WebAuthn challenge. */
  payload: string;
  /** base64url of the credential id the authenticator used. */
  credentialId: string;
  /** base64url of authenticatorData. */
  authenticatorData: string;
  /** base64url of clientDataJSON. */
  clientDataJSON: string;
  /** base64url of the signature (ASN.1 DER for ES256, raw for EdDSA). */
  signature: string;
}

/** Whose passkeys a run accepts decisions from. */
export interface PasskeyHolder {
  name: string;
  passkeys?: readonly TrustedPasskey[];
}

export type PasskeyCheck<C> =
  | {
      ok: true;
      claims: C;
      signer: KnownSigner;
      passkey: Omit<TrustedPasskey, 'publicKey' | 'thumbprint'>;
      counter: number;
    }
  | { ok: false; reason: string };

/** The WebAuthn challenge of a decision payload: SHA-256 of its UTF-8 bytes, base64url. */
export function payloadChallenge(payload: string): string {
  return toBase64Url(sha256(new TextEncoder().encode(payload)));
}

/** How an assertion is kept in the audit trail, one string like a JWS: `passkey.<base64url JSON>`. */
export const PASSKEY_TOKEN_PREFIX = 'passkey.';

export function passkeyToken(assertion: PasskeyAssertion): string {
  const { payload, credentialId, authenticatorData, clientDataJSON, signature } = assertion;
  const json = JSON.stringify({ payload, credentialId, authenticatorData, clientDataJSON, signature });
  return `${PASSKEY_TOKEN_PREFIX}${toBase64Url(new TextEncoder().encode(json))}`;
}

/** The assertion a passkey token holds, or undefined when it is not one. */
export function passkeyFromToken(token: string): PasskeyAssertion | undefined {
  if (!token.startsWith(PASSKEY_TOKEN_PREFIX)) return undefined;
  try {
    return JSON.parse(utf8(fromBase64Url(token.slice(PASSKEY_TOKEN_PREFIX.length)))) as PasskeyAssertion;
  } catch {
    return undefined;
  }
}

const MAX_FIELD = 8192;
/** UP: the user was present (touched the authenticator). */
const FLAG_UP = 0x01;
/** UV: the user was verified (PIN, biometrics): a passkey decision needs both. */
const FLAG_UV = 0x04;

function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Verifies a passkey assertion over a payload naming its signer in `signerField`: the credential
 * is one the registry holds for that person; the client data is a `webauthn.get` from one of
 * its origins whose challenge is the payload's hash; the authenticator data is for its RP id,
 * with user presence and verification; the signature verifies with its key. Never throws; the
 * payload's own claims (run, time, nonce) and the counter (counterRefusal) are the caller's to check.
 */
export function verifyPasskey<C extends Record<string, unknown>>(
  assertion: unknown,
  signerField: keyof C & string,
  holders: readonly PasskeyHolder[],
): PasskeyCheck<C> {
  const fail = (reason: string): PasskeyCheck<C> => ({ ok: false, reason });
  const a = assertion as Partial<PasskeyAssertion> | null;
  const fields = ['payload', 'credentialId', 'authenticatorData', 'clientDataJSON', 'signature'] as const;
  if (!a || typeof a !== 'object' || fields.some((f) => typeof a[f] !== 'string' || a[f].length > MAX_FIELD))
    return fail(`a passkey decision must carry ${fields.join(', ')}`);
  let claims: C;
  let clientData: { type?: unknown; challenge?: unknown; origin?: unknown; crossOrigin?: unknown };
  let authData: Uint8Array;
  let clientDataBytes: Uint8Array;
  let signature: Uint8Array;
  try {
    claims = JSON.parse(a.payload!) as C;
    clientDataBytes = fromBase64Url(a.clientDataJSON!);
    clientData = JSON.parse(utf8(clientDataBytes)) as typeof clientData;
    authData = fromBase64Url(a.authenticatorData!);
    signature = fromBase64Url(a.signature!);
  } catch {
    return fail('the passkey decision is malformed');
  }
  const name = claims?.[signerField];
  if (typeof name !== 'string' || !name) return fail('the decision names no approver');
  const holder = holders.find((h) => h.name === name);
  if (!holder) return fail(`${name} is not an approver of this run in the worker's identity registry`);
  const passkey = holder.passkeys?.find((p) => p.credentialId === a.credentialId);
  if (!passkey)
    return fail(`the worker's identity registry holds no passkey ${a.credentialId!.slice(0, 16)}… for ${name}`);
  if (clientData.type !== 'webauthn.get') return fail('the passkey signed something else than an assertion');
  if (clientData.challenge !== payloadChallenge(a.payload!))
    return fail("the passkey's signature is for another decision (the challenge is not the payload's hash)");
  if (typeof clientData.origin !== 'string' || !passkey.origins.includes(clientData.origin))
    return fail(`the passkey was used on ${String(clientData.origin)}, not on a page the registry names for it`);
  if (clientData.crossOrigin === true) return fail('the passkey was used from an embedded frame');
  if (authData.length < 37) return fail('the authenticator data is too short');
  if (!sameBytes(authData.subarray(0, 32), sha256(new TextEncoder().encode(passkey.rpId))))
    return fail(`the passkey was used for another relying party than ${passkey.rpId}`);
  const flags = authData[32]!;
  if (!(flags & FLAG_UP)) return fail('the authenticator did not see the user present');
  if (!(flags & FLAG_UV)) return fail('the authenticator did not verify the user (PIN or biometrics)');
  const counter = ((authData[33]! << 24) >>> 0) + (authData[34]! << 16) + (authData[35]! << 8) + authData[36]!;
  const signed = concat(authData, sha256(clientDataBytes));
  if (!verifyAssertionSignature(passkey.publicKey, signed, signature))
    return fail(`the signature does not verify with ${name}'s passkey from the worker's identity registry`);
  return {
    ok: true,
    claims,
    signer: { name, publicKey: passkey.publicKey, thumbprint: passkey.thumbprint },
    passkey: { credentialId: passkey.credentialId, rpId: passkey.rpId, origins: passkey.origins },
    counter,
  };
}

function verifyAssertionSignature(key: SignerJwk, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.kty === 'EC') {
      const point = new Uint8Array(65);
      point[0] = 0x04;
      point.set(fromBase64Url(key.x), 1);
      point.set(fromBase64Url(key.y), 33);
      return p256.verify(signature, message, point, { format: 'der', lowS: false });
    }
    return ed25519.verify(signature, message, fromBase64Url(key.x));
  } catch {
    return false;
  }
}

/**
 * Why a signature counter is refused after `last` (the highest this run accepted for the
 * credential), or undefined. Authenticators that keep no counter send 0 every time; one that
 * keeps it must move it up, or the credential may have been copied.
 */
export function counterRefusal(counter: number, last: number): string | undefined {
  if ((counter !== 0 || last !== 0) && counter <= last)
    return `the passkey's signature counter did not go up (${counter} after ${last}): the credential may have been copied`;
  return undefined;
}
