// The sandbox Partner Admin's approval key (Ed25519), so the demo can sign decisions the way
// a real approver does. Created once in the git-ignored data folder; never in the repository.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SANDBOX_APPROVER = 'sandbox-partner-admin';
export const SANDBOX_APPROVER_DIR = '.data/sandbox/approvers';

/** Returns the private and public key file paths, creating the pair on first use. */
export async function ensureSandboxApproverKey(dir = SANDBOX_APPROVER_DIR): Promise<{ privateKeyFile: string; publicKeyFile: string }> {
  const privateKeyFile = join(dir, `${SANDBOX_APPROVER}.pem`);
  const publicKeyFile = join(dir, `${SANDBOX_APPROVER}.pub`);
  if (existsSync(privateKeyFile) && existsSync(publicKeyFile)) return { privateKeyFile, publicKeyFile };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeFile(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return { privateKeyFile, publicKeyFile };
}
