// The worker's store of what onboarding obtains and the operator must hand on (API key,
// MISP license key, partner certificates and keys, the OIDC client key): one owner-only
// JSON file per deployment. Steps look here first, which is what makes re-runs reuse
// instead of re-create.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredCredentials {
  authPartner?: PartnerKeyMaterial;
  mispPartner?: PartnerKeyMaterial;
  /** `requestedLabel` is the spec's label; `label` differs when a key had to be re-issued (see collectCredentials). */
  apiKey?: { label: string; value: string; policyId: string; requestedLabel?: string };
  /** Written before asking PMS for a key: on a retry, PMS_PRT_110 for this label means "issued, answer lost". */
  apiKeyRequest?: { requestedLabel: string; label: string };
  mispLicenseKey?: string;
  idaCertificatePem?: string;
  clientKey?: { publicJwk: Record<string, unknown>; privateKeyPem: string; thumbprint: string };
  /** The registered OIDC client (PMS derives its id from the key): where re-runs look first. */
  oidcClient?: { clientId: string; keyThumbprint: string; via: 'pms' | 'esignet' };
}

export interface PartnerKeyMaterial {
  caCertificatePem: string;
  certificatePem: string;
  privateKeyPem?: string;
  signedCertificatePem?: string;
}

export class CredentialStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  fileFor(deploymentId: string): string {
    return join(this.dir, `${deploymentId}.json`);
  }

  async read(deploymentId: string): Promise<StoredCredentials> {
    try {
      return JSON.parse(await readFile(this.fileFor(deploymentId), 'utf8')) as StoredCredentials;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  }

  /** Read-modify-write, serialised within this worker, written atomically (temp file + rename). */
  async update(deploymentId: string, change: (current: StoredCredentials) => StoredCredentials): Promise<StoredCredentials> {
    const next = this.chain.then(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const updated = change(await this.read(deploymentId));
      const file = this.fileFor(deploymentId);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(updated, null, 2), { mode: 0o600 });
      await rename(tmp, file);
      return updated;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
