// registerOidcClient: OpenG2P becomes an e-Signet relying party, through the path the spec
// chooses — the PMS OIDC API (run by the MOSIP Partner Admin) or e-Signet's client management.
// Either way the client id follows from the key, so a re-run updates the client it made before.
import { redirectUris } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { registerWithEsignet } from './oidc-client-esignet.js';
import { registerWithPms } from './oidc-client-pms.js';
import type { OidcClientResult } from './types.js';

export { clientManagementApi, oidcClientId } from './oidc-client-esignet.js';
export { pmsOidcClientId } from './oidc-client-pms.js';

export function esignetActivities(deps: ActivityDeps) {
  return {
    async registerOidcClient(spec: DeploymentSpec, publicJwk: Record<string, unknown>): Promise<OidcClientResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const result =
          spec.oidcClient.registration === 'pms'
            ? await registerWithPms(spec, publicJwk, secrets, deps)
            : await registerWithEsignet(spec, publicJwk, secrets, deps);
        await deps.credentials.update(spec.deploymentId, (c) => ({
          ...c,
          oidcClient: {
            clientId: result.clientId,
            keyThumbprint: String(publicJwk.kid),
            via: result.via ?? spec.oidcClient.registration,
            redirectUris: [...new Set([...(c.oidcClient?.redirectUris ?? []), ...redirectUris(spec)])],
          },
        }));
        return result;
      });
    },
  };
}
