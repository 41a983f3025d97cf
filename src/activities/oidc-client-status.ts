// setOidcClientStatus: an OIDC client ACTIVE or INACTIVE. e-Signet has no delete and never
// changes a client's key: deactivating is an update of `status` (esignet.md §1), through the path
// that registered the client — PMS `PUT /oidc/client/{id}` or e-Signet's client management.
// Both are full replacements, so the spec's settings are sent with the status.
import { RemoteRejection } from '../clients/errors.js';
import { EsignetClient } from '../clients/esignet.js';
import { isMosipCode } from '../clients/mosip-envelope.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { adminPms } from './mosip-session.js';
import { clientManagementApi, clientManagementToken, clientSettings } from './oidc-client-esignet.js';
import { claimsToRegister } from './policy-claims.js';
import type { StatusChange } from './types.js';

export interface ClientStatusInput {
  clientId: string;
  via: 'pms' | 'esignet';
  status: 'ACTIVE' | 'INACTIVE';
}

export function oidcClientStatusActivities(deps: ActivityDeps) {
  return {
    /** Sets the client's status; 'absent' when the system has no such client (nothing left to switch off). */
    async setOidcClientStatus(spec: DeploymentSpec, input: ClientStatusInput): Promise<StatusChange> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const settings = clientSettings(spec, input.status);
        if (input.via === 'pms') {
          const pms = await adminPms(spec, secrets, deps.http);
          const existing = await pms.getOidcClient(input.clientId);
          if (!existing) return 'absent';
          if (String(existing.status).toUpperCase() === input.status) return 'unchanged';
          await pms.updateOidcClient(input.clientId, settings);
          return 'changed';
        }
        const token = await clientManagementToken(spec, secrets, deps);
        const esignet = new EsignetClient(spec.esignet.baseUrl, deps.http);
        try {
          // No read API: the update is sent whatever the current status (it is idempotent).
          await esignet.updateOidcClient(
            token.accessToken,
            input.clientId,
            {
              ...settings,
              userClaims: await claimsToRegister(spec, secrets, deps),
              authContextRefs: spec.oidcClient.acrs,
            },
            clientManagementApi(spec.esignet.version),
          );
          return 'changed';
        } catch (err) {
          if (err instanceof RemoteRejection && err.code === 'invalid_client_id') return 'absent';
          if (isMosipCode(err, 'PMS_IDP_004')) return 'absent';
          throw err;
        }
      });
    },
  };
}
