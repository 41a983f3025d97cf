// updateOidcClient: the deployment's client brought to the spec — name, logo, redirect URIs, and on
// e-Signet's own API its claims and ACRs too (PMS's update has none: PMS re-sends those from the
// Auth policy). Both APIs replace every updatable field; neither can change the key.
import { EsignetClient } from '../clients/esignet.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { adminPms } from './mosip-session.js';
import { clientManagementApi, clientManagementToken, clientSettings } from './oidc-client-esignet.js';
import { claimsToRegister } from './policy-claims.js';

export function oidcClientUpdateActivities(deps: ActivityDeps) {
  return {
    async updateOidcClient(
      spec: DeploymentSpec,
      input: { clientId: string; via: 'pms' | 'esignet' },
    ): Promise<{ clientId: string; fields: string[] }> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const settings = clientSettings(spec, 'ACTIVE');
        if (input.via === 'pms') {
          const pms = await adminPms(spec, secrets, deps.http);
          await pms.updateOidcClient(input.clientId, settings);
          return { clientId: input.clientId, fields: ['clientName', 'logoUri', 'redirectUris'] };
        }
        const token = await clientManagementToken(spec, secrets, deps);
        await new EsignetClient(spec.esignet.baseUrl, deps.http).updateOidcClient(
          token.accessToken,
          input.clientId,
          {
            ...settings,
            userClaims: await claimsToRegister(spec, secrets, deps),
            authContextRefs: spec.oidcClient.acrs,
          },
          clientManagementApi(spec.esignet.version),
        );
        return {
          clientId: input.clientId,
          fields: ['clientName', 'logoUri', 'redirectUris', 'userClaims', 'authContextRefs'],
        };
      });
    },
  };
}
