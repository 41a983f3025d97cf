// Signs a decision as a compact JWS with the approver's private key (CLI side).
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { DECISION_TYPE, type DecisionClaims } from './decision.js';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signDecision(key: KeyObject, claims: Omit<DecisionClaims, 'iat' | 'nonce'> & Partial<Pick<DecisionClaims, 'iat' | 'nonce'>>): string {
  const full: DecisionClaims = { iat: Math.floor(Date.now() / 1000), nonce: randomBytes(16).toString('base64url'), ...claims };
  const alg = key.asymmetricKeyType === 'ed25519' ? 'EdDSA' : key.asymmetricKeyType === 'ec' ? 'ES256' : undefined;
  if (!alg) throw new Error(`approver keys must be Ed25519 or ECDSA P-256, not ${key.asymmetricKeyType}`);
  const input = `${b64url(JSON.stringify({ alg, typ: DECISION_TYPE }))}.${b64url(JSON.stringify(full))}`;
  const signature = alg === 'EdDSA' ? sign(null, Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(signature)}`;
}
