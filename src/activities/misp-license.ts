// requestMispLicense: the MISP license key, issued once and kept on the worker (reported by
// fingerprint only).
import { isMosipCode } from '../clients/mosip-envelope.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { sha256Hex } from '../security/fingerprint.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { adminPms } from './mosip-session.js';
import type { LicenseResult } from './types.js';

export function mispLicenseActivities(deps: ActivityDeps) {
  return {
    async requestMispLicense(spec: DeploymentSpec): Promise<LicenseResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const pms = await adminPms(spec, secrets, deps.http);
        const mispId = spec.partners.misp.id;
        let created = false;
        let license = await pms.getMispLicense(mispId);
        let expiry: string | undefined;
        if (!license) {
          try {
            const issued = await pms.createMispLicense(mispId);
            license = issued;
            expiry = issued.licenseKeyExpiry;
            created = true;
          } catch (err) {
            if (!isMosipCode(err, 'PMS_MSP_416')) throw err;
            license = await pms.getMispLicense(mispId);
            if (!license) throw err;
          }
        }
        const licenseKey = secrets.remember(license.licenseKey);
        await deps.credentials.update(spec.deploymentId, (c) => ({ ...c, mispLicenseKey: licenseKey }));
        return {
          mispPartnerId: mispId,
          licenseKeyFingerprint: sha256Hex(licenseKey),
          licenseKeyExpiry: expiry,
          created,
        };
      });
    },
  };
}
