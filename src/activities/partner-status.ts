// deactivatePartners: the deployment's Auth and MISP partners De-Active on PMS (§7). PMS keeps
// them (and their history); deactivating the MISP partner also deactivates its licenses.
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { adminPms } from './mosip-session.js';
import type { StatusChange } from './types.js';

export function partnerStatusActivities(deps: ActivityDeps) {
  return {
    async deactivatePartners(spec: DeploymentSpec): Promise<Record<string, StatusChange>> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const pms = await adminPms(spec, secrets, deps.http);
        const changes: Record<string, StatusChange> = {};
        for (const partnerId of [spec.partners.auth.id, spec.partners.misp.id]) {
          const partner = await pms.getPartner(partnerId);
          if (!partner) changes[partnerId] = 'absent';
          else if (!partner.isActive) changes[partnerId] = 'unchanged';
          else {
            await pms.setPartnerStatus(partnerId, 'De-Active');
            changes[partnerId] = 'changed';
          }
        }
        return changes;
      });
    },
  };
}
