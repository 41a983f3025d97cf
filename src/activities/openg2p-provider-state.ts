// The OpenG2P provider record after onboarding: switched to another client and key in one write
// (a login never sees a new client id with the old key), or disabled — never deleted, because
// OpenG2P users are linked to it (res.users.oauth_provider_id).
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { odooSession } from './openg2p.js';
import type { StatusChange } from './types.js';

const PROVIDER_MODEL = 'auth.oauth.provider';

export interface ProviderSwitch {
  providerId: number;
  clientId: string;
  /** The key by thumbprint: its private half is read from the worker's credential store here. */
  clientKeyThumbprint: string;
}

export function openg2pProviderStateActivities(deps: ActivityDeps) {
  return {
    /** client_id and client_private_key in one write; enabled stays as it is. */
    async switchOpenG2PClient(spec: DeploymentSpec, input: ProviderSwitch): Promise<{ providerId: number }> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const stored = await deps.credentials.read(spec.deploymentId);
        const key = [stored.clientKey, stored.nextClientKey].find((k) => k?.thumbprint === input.clientKeyThumbprint);
        if (!key)
          throw blockingFailure(
            'ClientKeyConflict',
            `the worker's credential store holds no client key ${input.clientKeyThumbprint} for ${spec.deploymentId}`,
            { hint: 'run the operation on the worker whose credential store holds the deployment, then retry' },
          );
        secrets.remember(key.privateKeyPem);
        const password = await secrets.get(spec.openg2p.password);
        const { odoo, uid } = await odooSession(spec, password, deps);
        await odoo.write(uid, password, PROVIDER_MODEL, [input.providerId], {
          client_id: input.clientId,
          client_private_key: Buffer.from(key.privateKeyPem, 'utf8').toString('base64'),
        });
        return { providerId: input.providerId };
      });
    },

    /** enabled = false on the deployment's provider (found by name); its users keep their link to it. */
    async disableOpenG2PProvider(spec: DeploymentSpec): Promise<StatusChange> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const password = await secrets.get(spec.openg2p.password);
        const { odoo, uid } = await odooSession(spec, password, deps);
        const [provider] = await odoo.searchRead(
          uid,
          password,
          PROVIDER_MODEL,
          [['name', '=', spec.openg2p.provider.name]],
          ['id', 'enabled'],
          1,
        );
        if (!provider) return 'absent';
        if (provider.enabled === false) return 'unchanged';
        await odoo.write(uid, password, PROVIDER_MODEL, [provider.id], { enabled: false });
        return 'changed';
      });
    },
  };
}
