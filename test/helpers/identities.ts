// The people of the tests' worker identity registry: who may start runs, approve them and
// retry or abort them, with real key pairs generated once per test process (approvers.ts).
// The loopback test policy (loopback-policy.ts) carries it to in-process and spawned workers.
import type { Role, WorkerPolicyFile } from '../../src/security/worker-policy.js';
import type { Signer } from '../../src/approvals/sign.js';
import { approverPrivateKey, approverPublicJwk } from './approvers.js';

/** Everyone the tests' registry knows; `mallory` is deliberately absent. */
const PEOPLE: Record<string, Role[]> = {
  alice: ['initiator', 'approver'],
  bob: ['initiator', 'approver'],
  carol: ['approver'],
  'ec-dave': ['approver'],
  'staff-1': ['initiator'],
  'staff-2': ['initiator'],
  'e2e-staff': ['initiator'],
  bench: ['initiator'],
  soak: ['initiator'],
  'bench-staff': ['initiator'],
  'ops-1': ['operator'],
};

/** A registry member signing with their fixture key (any name signs; only registered ones are trusted). */
export function signer(name: string): Signer {
  return { name, key: approverPrivateKey(name) };
}

export function fixtureIdentities(): NonNullable<WorkerPolicyFile['identities']> {
  return Object.entries(PEOPLE).map(([name, roles]) => ({ name, roles, publicKey: approverPublicJwk(name) }));
}
