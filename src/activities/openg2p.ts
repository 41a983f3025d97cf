// Side effects on OpenG2P (Odoo JSON-RPC): the e-Signet OAuth provider record.
import { OdooClient } from '../clients/odoo.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { providerValues, type OpenG2PGeneration } from './openg2p-provider.js';
import { storedClientKey } from './client-key.js';
import type { EsignetEndpoints, OpenG2PResult } from './types.js';

const PROVIDER_MODEL = 'auth.oauth.provider';
/** `ir.config_parameter` read by `res.users._auth_oauth_rpc` (auth_oauth 15/17, g2p_auth_id_oidc, g2p_auth_oidc). */
export const AUTHORIZATION_HEADER_PARAM = 'auth_oauth.authorization_header';

export interface OpenG2PInput {
  clientId: string;
  /** The client key by thumbprint: its private half is read from the credential store here. */
  clientKeyThumbprint: string;
  endpoints: EsignetEndpoints;
  generation: OpenG2PGeneration;
}

export async function odooSession(spec: DeploymentSpec, password: string, deps: ActivityDeps) {
  const odoo = new OdooClient(spec.openg2p.url, spec.openg2p.database, deps.http);
  const uid = await odoo.authenticate(spec.openg2p.login, password);
  return { odoo, uid };
}

export function openg2pActivities(deps: ActivityDeps) {
  return {
    /** Create the provider, or update the one with the same name: never a second record. */
    async configureOpenG2P(spec: DeploymentSpec, input: OpenG2PInput): Promise<OpenG2PResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const { privateKeyPem } = await storedClientKey(deps, spec.deploymentId, input.clientKeyThumbprint);
        secrets.remember(privateKeyPem);
        const password = await secrets.get(spec.openg2p.password);
        const { odoo, uid } = await odooSession(spec, password, deps);
        const xmlId = spec.openg2p.provider.userGroupXmlId;
        const portalGroupId = await odoo.xmlIdToResId(uid, password, xmlId);
        if (portalGroupId === undefined) {
          throw blockingFailure('OpenG2PConfig', `OpenG2P has no group with xml-id ${xmlId}`, {
            system: 'odoo',
            hint: 'set openg2p.provider.userGroupXmlId to an existing group',
          });
        }
        let idTypeId: number | undefined;
        const idTypeName = spec.openg2p.provider.idTypeName;
        if (idTypeName) {
          const [idType] = await odoo.searchRead(
            uid,
            password,
            'g2p.id.type',
            [['name', '=', idTypeName]],
            ['id', 'name'],
            1,
          );
          if (!idType) {
            throw blockingFailure('OpenG2PConfig', `OpenG2P has no registrant ID type named "${idTypeName}"`, {
              system: 'odoo',
              hint: 'create it in OpenG2P or fix openg2p.provider.idTypeName',
            });
          }
          idTypeId = idType.id;
        }
        // Odoo's auth_oauth (and both OpenG2P OIDC modules) send the userinfo token as `?access_token=`
        // unless this system parameter is set; e-Signet reads only the Authorization header.
        await odoo.executeKw(uid, password, 'ir.config_parameter', 'set_param', [AUTHORIZATION_HEADER_PARAM, 'True']);
        const values = providerValues(input.generation, {
          spec,
          clientId: input.clientId,
          privateKeyPem,
          endpoints: input.endpoints,
          portalGroupId,
          idTypeId,
        });
        const name = spec.openg2p.provider.name;
        const [existing] = await odoo.searchRead(uid, password, PROVIDER_MODEL, [['name', '=', name]], ['id'], 1);
        if (existing) {
          await odoo.write(uid, password, PROVIDER_MODEL, [existing.id], values);
          return { providerId: existing.id, providerName: name, generation: input.generation, created: false };
        }
        const providerId = await odoo.create(uid, password, PROVIDER_MODEL, values);
        return { providerId, providerName: name, generation: input.generation, created: true };
      });
    },
  };
}
