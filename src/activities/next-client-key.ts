// The client key rotation's worker side. e-Signet never changes a client's public key, so a new
// key means a new client: the key is made and kept in the credential store first (private half
// never in history), its client registered by the same find-before-create as onboarding (the id
// follows from the key), and only once verified does it become the deployment's key and client.
import type { DeploymentSpec } from '../spec/schema.js';
import { guarded, guardedFor, type ActivityDeps } from './context.js';
import { newClientKey } from './client-key.js';
import { blockingFailure } from './failures.js';
import { registerWithEsignet } from './oidc-client-esignet.js';
import { registerWithPms } from './oidc-client-pms.js';
import type { GeneratedClientKey, OidcClientResult } from './types.js';

export function nextClientKeyActivities(deps: ActivityDeps) {
  return {
    /** The rotation's new RSA key; the one a killed rotation left is reused. */
    async generateNextClientKey(deploymentId: string): Promise<GeneratedClientKey> {
      return guarded(deps, async (secrets) => {
        let key = (await deps.credentials.read(deploymentId)).nextClientKey;
        if (!key) {
          const generated = await newClientKey();
          key = (
            await deps.credentials.update(deploymentId, (c) => ({ ...c, nextClientKey: c.nextClientKey ?? generated }))
          ).nextClientKey!;
        }
        secrets.remember(key.privateKeyPem);
        return { publicJwk: key.publicJwk, thumbprint: key.thumbprint };
      });
    },

    /** A new client for the new key (ACTIVE), through the spec's registration path; adopted if it exists. */
    async registerNextOidcClient(spec: DeploymentSpec, thumbprint: string): Promise<OidcClientResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const key = (await deps.credentials.read(spec.deploymentId)).nextClientKey;
        if (key?.thumbprint !== thumbprint)
          throw blockingFailure('ClientKeyConflict', `the credential store holds no rotation key ${thumbprint}`, {
            hint: 'run the rotation on the worker that made the key, or abort it and rotate again',
          });
        const result =
          spec.oidcClient.registration === 'pms'
            ? await registerWithPms(spec, key.publicJwk, secrets, deps)
            : await registerWithEsignet(spec, key.publicJwk, secrets, deps);
        const via = result.via ?? spec.oidcClient.registration;
        await deps.credentials.update(spec.deploymentId, (c) => ({
          ...c,
          nextOidcClient: { clientId: result.clientId, keyThumbprint: thumbprint, via },
        }));
        return { ...result, via };
      });
    },

    /** The verified new key and client become the deployment's; the old key is forgotten. */
    async adoptNextClientKey(deploymentId: string, thumbprint: string): Promise<{ thumbprint: string }> {
      return guarded(deps, async () => {
        await deps.credentials.update(deploymentId, (c) => {
          // Already adopted by an attempt whose answer was lost.
          if (c.clientKey?.thumbprint === thumbprint) return c;
          if (c.nextClientKey?.thumbprint !== thumbprint || !c.nextOidcClient)
            throw new Error(`no rotation key ${thumbprint} with a registered client to adopt`);
          const { nextClientKey, nextOidcClient, ...rest } = c;
          return { ...rest, clientKey: nextClientKey, oidcClient: nextOidcClient };
        });
        return { thumbprint };
      });
    },

    /** A rotation rolled back: the new key is dropped (its client stays INACTIVE on e-Signet). */
    async dropNextClientKey(deploymentId: string, thumbprint: string): Promise<void> {
      return guarded(deps, async () => {
        await deps.credentials.update(deploymentId, (c) => {
          if (c.nextClientKey?.thumbprint !== thumbprint) return c;
          const { nextClientKey: _key, nextOidcClient: _client, ...rest } = c;
          return rest;
        });
      });
    },
  };
}
