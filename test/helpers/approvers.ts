// Fixture approvers with real key pairs, generated once per test process.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { normaliseApproverKey } from '../../src/approvals/keys.js';
import type { ApproverJwk } from '../../src/approvals/decision.js';

const keys = new Map<string, KeyObject>();

/** The private key of a fixture approver (Ed25519; `ec-` names get P-256). */
export function approverPrivateKey(name: string): KeyObject {
  let key = keys.get(name);
  if (!key) {
    key = name.startsWith('ec-')
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      : generateKeyPairSync('ed25519').privateKey;
    keys.set(name, key);
  }
  return key;
}

export function approverPublicJwk(name: string): ApproverJwk {
  return normaliseApproverKey(createPublicKey(approverPrivateKey(name)).export({ format: 'jwk' }));
}

/** A spec's approver entry: the name only (keys live in the worker's identity registry, identities.ts). */
export function approver(name: string): { name: string } {
  return { name };
}
