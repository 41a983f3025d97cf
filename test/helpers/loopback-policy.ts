// The worker policy tests, the demo, the bench and the soak run with: every deployment may reach
// the sandbox on this machine (127.0.0.1, localhost, so privateNetworks), read its secrets in
// `<secretsDir>/<deploymentId>/`, and use `env:G2P_SECRET_*`; its identity registry holds the
// fixture people (identities.ts), whose keys live in this process, so it signs as them.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWorkerPolicy, type WorkerPolicy, type WorkerPolicyFile } from '../../src/security/worker-policy.js';
import { fixtureIdentities } from './identities.js';

export function loopbackPolicyDocument(secretsDir: string): WorkerPolicyFile {
  return {
    secretsDir,
    deployments: [{ match: '*', hosts: ['127.0.0.1', 'localhost'], privateNetworks: true }],
    identities: fixtureIdentities(),
  };
}

/** The policy object, for workers built in the test's own process. */
export function loopbackPolicy(secretsDir: string, change?: (doc: WorkerPolicyFile) => void): WorkerPolicy {
  const doc = loopbackPolicyDocument(secretsDir);
  change?.(doc);
  return parseWorkerPolicy(doc, join(secretsDir, 'test-worker-policy.yaml'));
}

/** The policy as a file (owner-only, as the worker demands), for workers in their own process: G2P_ONBOARD_POLICY. */
export async function writeLoopbackPolicyFile(file: string, secretsDir: string): Promise<string> {
  await writeFile(file, `${JSON.stringify(loopbackPolicyDocument(secretsDir), null, 2)}\n`, { mode: 0o600 });
  return file;
}
