// The local sandbox's fixed ports (examples/sandbox.yaml names them) and its credential files.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from './sandbox.js';

export const DEFAULT_PORTS = { mosip: 18080, esignet: 18081, odoo: 18082, control: 18089 };
export const DEFAULT_SECRETS_DIR = '.data/sandbox/secrets';
/** The deploymentIds of examples/*.yaml: each gets the credentials in its own folder. */
export const EXAMPLE_DEPLOYMENTS = ['openg2p-sandbox', 'openg2p-sandbox-pms'] as const;

/**
 * Writes each generated credential to its own file (mode 600) in `<dir>/<deploymentId>/` for each
 * deployment: a worker reads a spec's `file:` references only inside its deployment's folder of
 * the policy's secretsDir, so the example specs name them relatively (`file:mosip-client-secret`).
 */
export async function writeSandboxSecrets(
  sandbox: Sandbox,
  dir: string,
  deploymentIds: readonly string[] = EXAMPLE_DEPLOYMENTS,
): Promise<void> {
  for (const id of deploymentIds) await writeCredentialFiles(sandbox, join(dir, id));
}

async function writeCredentialFiles(sandbox: Sandbox, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const c = sandbox.credentials;
  const files: Record<string, string> = {
    'mosip-client-secret': c.mosipClientSecret,
    'partner-admin-password': c.partnerAdminPassword,
    'ida-client-secret': c.idaClientSecret,
    'partner-password': c.partnerPassword,
    'esignet-client-secret': c.esignetClientMgmtSecret,
    'odoo-password': c.odooPassword,
    'verification-otp': c.verificationOtp,
  };
  for (const [name, value] of Object.entries(files)) await writeFile(join(dir, name), `${value}\n`, { mode: 0o600 });
}
