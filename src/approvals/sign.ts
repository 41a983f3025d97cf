// Signs decisions and commands as compact JWS with the signer's own private key (CLI side).
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { DECISION_TYPE, type DecisionClaims } from './decision.js';
import { COMMAND_TYPE, type CommandClaims } from './command.js';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

type Stamped<C extends { iat: number; nonce: string }> = Omit<C, 'iat' | 'nonce'> & Partial<Pick<C, 'iat' | 'nonce'>>;

function signJws(key: KeyObject, typ: string, claims: Record<string, unknown>): string {
  const full = { iat: Math.floor(Date.now() / 1000), nonce: randomBytes(16).toString('base64url'), ...claims };
  const alg = key.asymmetricKeyType === 'ed25519' ? 'EdDSA' : key.asymmetricKeyType === 'ec' ? 'ES256' : undefined;
  if (!alg) throw new Error(`signing keys must be Ed25519 or ECDSA P-256, not ${key.asymmetricKeyType}`);
  const input = `${b64url(JSON.stringify({ alg, typ }))}.${b64url(JSON.stringify(full))}`;
  const signature =
    alg === 'EdDSA'
      ? sign(null, Buffer.from(input), key)
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(signature)}`;
}

export function signDecision(key: KeyObject, claims: Stamped<DecisionClaims>): string {
  return signJws(key, DECISION_TYPE, claims);
}

export function signCommand(key: KeyObject, claims: Stamped<CommandClaims>): string {
  return signJws(key, COMMAND_TYPE, claims);
}

/** Who signs: a name in the worker's identity registry and its private key. */
export interface Signer {
  name: string;
  key: KeyObject;
}
