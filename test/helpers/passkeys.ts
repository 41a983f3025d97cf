// A passkey authenticator simulated with node:crypto: it signs authenticatorData ||
// SHA-256(clientDataJSON) as WebAuthn does, over a decision payload whose hash is the challenge,
// so tests can make the assertions the approvals page carries (and alter them).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { DecisionClaims } from '../../src/approvals/decision.js';
import { payloadChallenge, type PasskeyAssertion, type TrustedPasskey } from '../../src/approvals/passkey.js';
import { jwkThumbprint, normaliseApproverKey } from '../../src/approvals/keys.js';

export const ORIGIN = 'https://approvals.example.org';
export const RP_ID = 'approvals.example.org';
export const WID = 'onboard-passkey';
export const RID = 'first-run';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest();
export const b64 = (data: Buffer) => data.toString('base64url');

export function authenticator(kind: 'ec' | 'ed25519' = 'ec') {
  const { privateKey, publicKey } =
    kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const jwk = normaliseApproverKey(publicKey.export({ format: 'jwk' }));
  const passkey: TrustedPasskey = {
    credentialId: b64(randomBytes(16)),
    publicKey: jwk,
    thumbprint: jwkThumbprint(jwk),
    rpId: RP_ID,
    origins: [ORIGIN],
  };
  return { privateKey, passkey };
}

export interface Ceremony {
  counter?: number;
  flags?: number;
  origin?: string;
  rpId?: string;
  type?: string;
  /** Sign this payload, carry another. */
  carried?: string;
}

export function assertion(
  key: KeyObject,
  passkey: TrustedPasskey,
  claims: Partial<DecisionClaims> = {},
  c: Ceremony = {},
): PasskeyAssertion {
  const payload = JSON.stringify({
    wid: WID,
    rid: RID,
    decision: 'approve',
    approver: 'alice',
    comment: 'checked',
    iat: Math.floor(Date.now() / 1000),
    nonce: b64(randomBytes(16)),
    ...claims,
  });
  const clientData = Buffer.from(
    JSON.stringify({
      type: c.type ?? 'webauthn.get',
      challenge: payloadChallenge(payload),
      origin: c.origin ?? ORIGIN,
    }),
  );
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(c.counter ?? 7);
  const authData = Buffer.concat([sha(c.rpId ?? RP_ID), Buffer.from([c.flags ?? 0x05]), counter]);
  const signed = Buffer.concat([authData, sha(clientData)]);
  const signature = key.asymmetricKeyType === 'ed25519' ? sign(null, signed, key) : sign('sha256', signed, key);
  return {
    payload: c.carried ?? payload,
    credentialId: passkey.credentialId,
    authenticatorData: b64(authData),
    clientDataJSON: b64(clientData),
    signature: b64(signature),
  };
}
