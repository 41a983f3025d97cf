// The MISP license after onboarding. PMS holds one license per MISP (PMS_MSP_416) and hands out a
// new one only when none is valid (GET /misps/{id}/licenseKey), so renewal is: deactivate the old
// (PUT /misps, de-active) → read the new → store it on the worker. The run names the license it
// replaces, so a retry after the new one was stored does not deactivate that one too.
import type { DeploymentSpec } from '../spec/schema.js';
import { sha256Hex } from '../security/fingerprint.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { adminPms } from './mosip-session.js';
import type { StatusChange } from './types.js';

export function mispLicenseStatusActivities(deps: ActivityDeps) {
  return {
    /**
     * `replaces`: the fingerprint of the license the run found; once the worker holds another, this
     * renewal already happened (an attempt whose answer was lost) and nothing is done again.
     */
    async renewMispLicense(
      spec: DeploymentSpec,
      replaces: string,
    ): Promise<{ licenseKeyFingerprint: string; replaces: string }> {
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
        if (current !== replaces) return { licenseKeyFingerprint: current, replaces };
        const pms = await adminPms(spec, secrets, deps.http);
        // Again after a lost answer: PMS sets the status it is asked for, whatever it was.
        await pms.setMispLicenseStatus(mispId, stored.mispLicenseKey, 'de-active');
        // With none valid PMS issues a new license; asked again, it answers the same one.
        const renewed = await pms.getMispLicense(mispId);
        if (!renewed || sha256Hex(renewed.licenseKey) === replaces)
          throw blockingFailure('LicenseMissing', `PMS issued no new MISP license for ${mispId}`, { system: 'pms' });
        secrets.remember(renewed.licenseKey);
        await deps.credentials.update(spec.deploymentId, (c) => ({ ...c, mispLicenseKey: renewed.licenseKey }));
        return { licenseKeyFingerprint: sha256Hex(renewed.licenseKey), replaces };
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
