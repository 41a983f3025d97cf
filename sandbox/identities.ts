// The sandbox's people and the worker policy that trusts them, so the demo and a local worker
// work with no setup: a member of staff who starts runs, a Partner Admin who approves, and an
// operator who retries and aborts, each with an Ed25519 key in the git-ignored data folder
// (never in the repository). A real worker's operator writes their own policy (SECURITY.md).
import { generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Role, WorkerPolicyFile } from '../src/security/worker-policy.js';

export const SANDBOX_IDENTITIES_DIR = '.data/sandbox/identities';
export const SANDBOX_POLICY_FILE = '.data/sandbox/worker-policy.yaml';
export const SANDBOX_STAFF = 'sandbox-staff';
export const SANDBOX_APPROVER = 'sandbox-partner-admin';
export const SANDBOX_OPERATOR = 'sandbox-ops';

const SANDBOX_PEOPLE: { name: string; roles: Role[] }[] = [
  { name: SANDBOX_STAFF, roles: ['initiator'] },
  { name: SANDBOX_APPROVER, roles: ['approver'] },
  { name: SANDBOX_OPERATOR, roles: ['operator'] },
];

/** The private key file of a sandbox person, created on first use (owner-only). */
export async function ensureSandboxKey(name: string, dir = SANDBOX_IDENTITIES_DIR): Promise<string> {
  const file = join(dir, `${name}.pem`);
  if (existsSync(file)) return file;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return file;
}

/** The public half of a private key file, as a PEM the policy can list. */
function publicPem(privateKeyFile: string): string {
  return createPublicKey(createPrivateKey(readFileSync(privateKeyFile, 'utf8'))).export({
    type: 'spki',
    format: 'pem',
  }) as string;
}

export interface SandboxPolicySettings {
  /** Root of the deployments' `file:` references. */
  secretsDir: string;
  /** Extra identities (tests, benchmarks) beside the sandbox's three people. */
  identities?: NonNullable<WorkerPolicyFile['identities']>;
  envPrefix?: string;
}

/**
 * The passkeys someone enrolled on the approvals page and added to the sandbox's policy by hand
 * (README, Approvals), carried over when the sandbox writes the policy again.
 */
function keepEnrolledPasskeys(
  file: string,
  identities: NonNullable<WorkerPolicyFile['identities']>,
): NonNullable<WorkerPolicyFile['identities']> {
  let previous: WorkerPolicyFile | undefined;
  try {
    previous = parse(readFileSync(file, 'utf8')) as WorkerPolicyFile;
  } catch {
    return identities;
  }
  return identities.map((identity) => {
    const webauthn = previous?.identities?.find((i) => i.name === identity.name)?.webauthn;
    return webauthn ? { ...identity, webauthn } : identity;
  });
}

/**
 * Writes the worker policy for the local sandbox: every deployment may reach loopback only,
 * secrets come from `secretsDir`, and the sandbox's people (plus `identities`) are trusted.
 */
export async function writeSandboxWorkerPolicy(file: string, settings: SandboxPolicySettings): Promise<void> {
  const people = await Promise.all(
    SANDBOX_PEOPLE.map(async (p) => ({
      name: p.name,
      roles: p.roles,
      publicKey: publicPem(await ensureSandboxKey(p.name)),
    })),
  );
  const identities = [...people, ...(settings.identities ?? [])];
  const policy: WorkerPolicyFile = {
    secretsDir: relative(dirname(file), settings.secretsDir) || '.',
    ...(settings.envPrefix ? { envPrefix: settings.envPrefix } : {}),
    deployments: [{ match: '*', hosts: ['127.0.0.1', 'localhost'], privateNetworks: true }],
    identities: keepEnrolledPasskeys(file, identities),
  };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const header =
    "# Written by the sandbox for local use: loopback hosts only, the sandbox's own people.\n# A real worker's operator writes their own (SECURITY.md).\n";
  await writeFile(file, header + stringify(policy), { mode: 0o600 });
}
