// Approver keys as people have them — a JWK, a PEM public key, an OpenSSH `ssh-ed25519` line —
// normalised to the JWK the workflow verifies with (Ed25519 or P-256). Runs where the worker
// reads its identity registry; the workflow only ever sees JWKs.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { ApproverJwk } from './decision.js';
import { privateKeyKind, ROTATE_EXPOSED_KEY } from './private-key.js';

export class ApproverKeyError extends Error {}

function toApproverJwk(key: KeyObject): ApproverJwk {
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { kty: 'OKP', crv: 'Ed25519', x: jwk.x! };
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
  throw new ApproverKeyError(
    `approver keys must be Ed25519 or ECDSA P-256 (got ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''}); generate one with: ssh-keygen -t ed25519`,
  );
}

/** Reads an OpenSSH string field: 4-byte length, then bytes. */
function sshField(buf: Buffer, offset: number): [Buffer, number] {
  const len = buf.readUInt32BE(offset);
  return [buf.subarray(offset + 4, offset + 4 + len), offset + 4 + len];
}

function fromOpenSshPublic(line: string): ApproverJwk {
  const [type, blob] = line.trim().split(/\s+/);
  if (type !== 'ssh-ed25519' || !blob) throw new ApproverKeyError('only ssh-ed25519 OpenSSH keys are supported');
  const buf = Buffer.from(blob, 'base64');
  const [name, next] = sshField(buf, 0);
  const [raw] = sshField(buf, next);
  if (name.toString() !== 'ssh-ed25519' || raw.length !== 32) throw new ApproverKeyError('malformed ssh-ed25519 key');
  return { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') };
}

/**
 * JWK object, PEM text or OpenSSH line → the JWK the workflow verifies decisions with.
 * Private key material is refused, never reduced to its public half: it has been exposed.
 */
export function normaliseApproverKey(value: unknown): ApproverJwk {
  const kind = privateKeyKind(value);
  if (kind) throw new ApproverKeyError(`this is ${kind}, not a public key: ${ROTATE_EXPOSED_KEY}`);
  try {
    if (typeof value === 'string') {
      if (value.trim().startsWith('ssh-')) return fromOpenSshPublic(value);
      return toApproverJwk(createPublicKey(value));
    }
    if (value && typeof value === 'object')
      return toApproverJwk(createPublicKey({ key: value as never, format: 'jwk' }));
  } catch (err) {
    if (err instanceof ApproverKeyError) throw err;
    throw new ApproverKeyError(
      `not a public key we can read (${plainKeyError(value)}); give an ssh-ed25519 line (the .pub file), a PEM "BEGIN PUBLIC KEY" block or a public JWK`,
    );
  }
  throw new ApproverKeyError('give a JWK object, a PEM public key or an ssh-ed25519 line');
}

/** What went wrong, in words: OpenSSL's decoder codes ("error:1E08010C:DECODER routines::unsupported") say nothing to a person. */
function plainKeyError(value: unknown): string {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.includes('BEGIN CERTIFICATE'))
      return 'it is a certificate; give the public key itself: openssl x509 -pubkey -noout -in cert.pem';
    if (!text.startsWith('-----BEGIN')) return 'it is neither a PEM block nor an ssh- line';
    if (!/-----END [A-Z0-9 ]+-----\s*$/.test(text))
      return 'the PEM block is cut short: copy it through its -----END …----- line';
    return 'the PEM block is damaged or of an unsupported kind';
  }
  const jwk = value as Record<string, unknown>;
  if (typeof jwk.kty !== 'string') return 'the JWK has no "kty"';
  return `the JWK (kty ${jwk.kty}) lacks or garbles its public members (x${jwk.kty === 'EC' ? ', y' : ''}, crv)`;
}

/** An approver's private key from PEM (PKCS#8), a JWK JSON or an unencrypted OpenSSH ed25519 key. */
export function loadApproverPrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----')) return fromOpenSshPrivate(trimmed);
  if (trimmed.startsWith('{')) return createPrivateKey({ key: JSON.parse(trimmed), format: 'jwk' });
  return createPrivateKey(trimmed);
}

function fromOpenSshPrivate(pem: string): KeyObject {
  const body = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (body.subarray(0, magic.length).toString('latin1') !== magic)
    throw new ApproverKeyError('not an OpenSSH private key');
  let at = magic.length;
  let cipher: Buffer;
  [cipher, at] = sshField(body, at);
  if (cipher.toString() !== 'none')
    throw new ApproverKeyError(
      'the OpenSSH key is passphrase-protected: export it without a passphrase to a protected file, or use PEM',
    );
  [, at] = sshField(body, at); // kdf name
  [, at] = sshField(body, at); // kdf options
  at += 4; // number of keys
  [, at] = sshField(body, at); // public key blob
  const [priv] = sshField(body, at);
  let p = 8; // two check integers
  let type: Buffer;
  [type, p] = sshField(priv, p);
  if (type.toString() !== 'ssh-ed25519') throw new ApproverKeyError('only ssh-ed25519 OpenSSH keys are supported');
  let pub: Buffer;
  [pub, p] = sshField(priv, p);
  const [secret] = sshField(priv, p);
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: pub.toString('base64url'), d: secret.subarray(0, 32).toString('base64url') },
    format: 'jwk',
  });
}

/** RFC 7638 JWK thumbprint, synchronously (the required members in lexicographic order). */
export function jwkThumbprint(jwk: ApproverJwk): string {
  const canonical =
    jwk.kty === 'OKP'
      ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
