// The local sandbox's fixed ports (examples/sandbox.yaml names them) and its credential files.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from './index.js';

export const DEFAULT_PORTS = { mosip: 18080, esignet: 18081, odoo: 18082, control: 18089 };
export const DEFAULT_SECRETS_DIR = '.data/sandbox/secrets';

/** Writes each generated credential to its own file (mode 600), as `file:` secret references expect. */
export async function writeSandboxSecrets(sandbox: Sandbox, dir: string): Promise<void> {
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

