// The MISP license after onboarding. PMS holds one license per MISP (PMS_MSP_416) and hands out a
// new one only when none is valid (GET /misps/{id}/licenseKey), so renewal is: deactivate the old
// (PUT /misps, de-active) → read the new → store it on the worker. The replaced key's fingerprint
// is written down first, so a retry after a crash does not deactivate the new one.
import type { DeploymentSpec } from '../spec/schema.js';
import { sha256Hex } from '../security/fingerprint.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { adminPms } from './mosip-session.js';
import type { StatusChange } from './types.js';

export function mispLicenseStatusActivities(deps: ActivityDeps) {
  return {
    async renewMispLicense(spec: DeploymentSpec): Promise<{ licenseKeyFingerprint: string; replaces: string }> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const mispId = spec.partners.misp.id;
        const stored = await deps.credentials.read(spec.deploymentId);
        if (!stored.mispLicenseKey)
          throw blockingFailure(
            'LicenseMissing',
            `the worker's credential store holds no MISP license for ${mispId}`,
            {},
          );
        const current = sha256Hex(stored.mispLicenseKey);
        const from = stored.mispLicenseRotation?.fromFingerprint ?? current;
        if (from !== current) return { licenseKeyFingerprint: current, replaces: from };
        await deps.credentials.update(spec.deploymentId, (c) => ({
          ...c,
          mispLicenseRotation: { fromFingerprint: from },
        }));
        const pms = await adminPms(spec, secrets, deps.http);
        await pms.setMispLicenseStatus(mispId, stored.mispLicenseKey, 'de-active');
        const renewed = await pms.getMispLicense(mispId);
        if (!renewed || sha256Hex(renewed.licenseKey) === from)
          throw blockingFailure('LicenseMissing', `PMS issued no new MISP license for ${mispId}`, { system: 'pms' });
        secrets.remember(renewed.licenseKey);
        await deps.credentials.update(spec.deploymentId, ({ mispLicenseRotation: _r, ...c }) => ({
          ...c,
          mispLicenseKey: renewed.licenseKey,
        }));
        return { licenseKeyFingerprint: sha256Hex(renewed.licenseKey), replaces: from };
      });
    },

    async deactivateMispLicense(spec: DeploymentSpec): Promise<StatusChange> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const key = (await deps.credentials.read(spec.deploymentId)).mispLicenseKey;
        if (!key) return 'absent';
        const pms = await adminPms(spec, secrets, deps.http);
        return (await pms.setMispLicenseStatus(spec.partners.misp.id, key, 'de-active')) === 'done'
          ? 'changed'
          : 'absent';
      });
    },
  };
}
