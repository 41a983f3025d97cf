// collectCredentials: the API key (issued to the Auth Partner itself, api-key.ts), the MISP
// license, the MOSIP-signed partner certificate and IDA's certificate (from IDA's internal API
// by default), into the worker's credential store; the run sees fingerprints only
// (certificates by their DER bytes).
import type { DeploymentSpec } from '../spec/schema.js';
import { certificateFingerprint, sha256Hex } from '../security/fingerprint.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { adminPms, readIdaCertificate } from './mosip-session.js';
import { blockingFailure } from './failures.js';
import { ensureApiKey } from './api-key.js';
import type { CredentialsResult } from './types.js';

export function credentialActivities(deps: ActivityDeps) {
  return {
    /** API key (as the partner itself), MISP license, signed and IDA certificates → the worker's credential store. */
    async collectCredentials(spec: DeploymentSpec): Promise<CredentialsResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const { key: apiKey, deactivatedLabels } = await ensureApiKey(spec, secrets, deps);
        const ida = await readIdaCertificate(spec, secrets, deps.http);
        const pms = await adminPms(spec, secrets, deps.http);
        const signed = await pms.getPartnerCertificate(spec.partners.auth.id);
        if (!signed)
          throw blockingFailure('CertificateMissing', `PMS has no certificate for ${spec.partners.auth.id}`, {
            system: 'pms',
            code: 'PMS_PRT_108',
          });
        const stored = await deps.credentials.update(spec.deploymentId, (c) => ({
          ...c,
          idaCertificatePem: ida.certificate,
        }));
        const licenseKey = stored.mispLicenseKey ?? (await pms.getMispLicense(spec.partners.misp.id))?.licenseKey;
        if (!licenseKey)
          throw blockingFailure('LicenseMissing', `PMS shows no MISP license for ${spec.partners.misp.id}`, {
            system: 'pms',
          });
        return {
          apiKeyFingerprint: sha256Hex(apiKey.value),
          apiKeyLabel: apiKey.label,
          ...(deactivatedLabels.length ? { deactivatedApiKeyLabels: deactivatedLabels } : {}),
          mispLicenseFingerprint: sha256Hex(licenseKey),
          signedPartnerCertificateFingerprint: certificateFingerprint(signed),
          idaCertificateFingerprint: certificateFingerprint(ida.certificate),
          storedAt: deps.credentials.fileFor(spec.deploymentId),
        };
      });
    },
  };
}
