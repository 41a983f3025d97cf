// The people of the tests' worker identity registry: who may start runs, approve them and
// retry or abort them, with real key pairs generated once per test process (approvers.ts).
// In-process workers get the registry as a WorkerPolicy; spawned workers as a policy file.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { parseWorkerPolicy, type Role, type WorkerPolicy, type WorkerPolicyFile } from '../../src/security/worker-policy.js';
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

/** The worker policy of in-process test workers: loopback only, the fixture people, secrets under `dir`. */
export function testPolicyFile(dir: string): WorkerPolicyFile {
  return {
    secretsDir: join(dir, 'secrets'),
    envPrefix: 'T_',
    deployments: [{ match: '*', hosts: ['127.0.0.1', 'localhost'], privateNetworks: true }],
    identities: fixtureIdentities(),
  };
}

export function testPolicy(dir: string): WorkerPolicy {
  return parseWorkerPolicy(testPolicyFile(dir), join(dir, 'worker-policy.yaml'));
}

/** The same policy as a file (owner-only), for workers in processes of their own. */
export async function writeTestPolicy(dir: string): Promise<string> {
  const file = join(dir, 'worker-policy.yaml');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, stringify(testPolicyFile(dir)), { mode: 0o600 });
  return file;
}
