// The worker's store of what onboarding obtains and the operator must hand on (API key,
// MISP license key, partner certificates and keys, the OIDC client key): one owner-only
// JSON file per deployment. Steps look here first, which is what makes re-runs reuse
// instead of re-create.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeploymentId } from '../spec/deployment-id.js';

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
  oidcClient?: {
    clientId: string;
    keyThumbprint: string;
    via: 'pms' | 'esignet';
    /** Every redirect URI the client was ever registered with: the checks make sure the unused ones are gone. */
    redirectUris?: string[];
  };
  /** A key rotation under way (rotateClientKey): the new key, and its client once registered. */
  nextClientKey?: { publicJwk: Record<string, unknown>; privateKeyPem: string; thumbprint: string };
  nextOidcClient?: { clientId: string; keyThumbprint: string; via: 'pms' | 'esignet' };
  /** API keys replaced by rotateCredentials, kept until they are deactivated on PMS (label and policy only). */
  retiredApiKeys?: { label: string; policyId: string }[];
  /** Written before a new API key is asked for: the label replaced and the label asked for. */
  apiKeyRotation?: { from: string; to: string };
  /** Certificates a renewal made and is uploading (renewCertificates), per partner role. */
  pendingCertificates?: { authPartner?: PartnerKeyMaterial; mispPartner?: PartnerKeyMaterial };
  /** Set when offboardDeployment finished: later operations are refused, a re-run changes nothing. */
  offboarded?: { at: string; by: string };
}

export interface PartnerKeyMaterial {
  caCertificatePem: string;
  certificatePem: string;
  privateKeyPem?: string;
  signedCertificatePem?: string;
}

/** The store cannot be used safely: the run blocks with what the operator must change. */
export class CredentialStoreRefused extends Error {
  override name = 'CredentialStoreRefused';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export class CredentialStore {
  private chain: Promise<unknown> = Promise.resolve();
  private checkedFolder = false;

  constructor(readonly dir: string) {}

  fileFor(deploymentId: string): string {
    // The spec's rule, checked again where the id becomes a file name: `../../x` never reaches the disk.
    if (!isDeploymentId(deploymentId)) {
      throw new CredentialStoreRefused(
        `not a deployment id: ${JSON.stringify(deploymentId)}`,
        'deployment ids are lower-case letters, digits and -',
      );
    }
    return join(this.dir, `${deploymentId}.json`);
  }

  /**
   * The store holds API keys and private keys: a folder others can read or enter (an existing one
   * the worker did not create, say) is refused rather than used. Checked once per worker.
   */
  private async checkFolder(): Promise<boolean> {
    if (this.checkedFolder) return true;
    let mode: number;
    try {
      mode = (await stat(this.dir)).mode & 0o777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    if ((mode & 0o077) !== 0) {
      throw new CredentialStoreRefused(
        `the credential store ${this.dir} is open to group or others (mode ${mode.toString(8)}); it holds API keys and private keys`,
        `chmod 700 ${this.dir} (G2P_ONBOARD_CREDENTIALS_DIR), then retry`,
      );
    }
    this.checkedFolder = true;
    return true;
  }

  async read(deploymentId: string): Promise<StoredCredentials> {
    const file = this.fileFor(deploymentId);
    if (!(await this.checkFolder())) return {};
    try {
      return JSON.parse(await readFile(file, 'utf8')) as StoredCredentials;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  }

  /** Read-modify-write, serialised within this worker, written atomically (temp file + rename). */
  async update(
    deploymentId: string,
    change: (current: StoredCredentials) => StoredCredentials,
  ): Promise<StoredCredentials> {
    const file = this.fileFor(deploymentId);
    const next = this.chain.then(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await this.checkFolder();
      const updated = change(await this.read(deploymentId));
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(updated, null, 2), { mode: 0o600 });
      await rename(tmp, file);
      return updated;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
