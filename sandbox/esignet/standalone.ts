// e-Signet alone on a loopback port with its own Keycloak realm: for tests of the e-Signet client
// and login flow that need neither MOSIP nor OpenG2P.
import {
  newSandboxCredentials,
  type SandboxContext,
  type SandboxCredentials,
  type SandboxOptions,
} from '../context.js';
import { Realm, randomSecret } from '../realm.js';
import { SandboxService, type RecordedRequest } from '../router.js';
import { createEsignet, type EsignetSandbox } from './index.js';
import { SERVLET_PATH } from './state.js';

export interface StandaloneEsignet {
  /** The e-Signet domain (issuer). */
  domain: string;
  /** The service URL including the servlet path, as a spec's `esignet.baseUrl`. */
  serviceUrl: string;
  esignet: EsignetSandbox;
  realm: Realm;
  credentials: SandboxCredentials;
  requests: RecordedRequest[];
  /** A realm access token with exactly these scopes (e.g. `['add_oidc_client']`). */
  tokenWithScopes(scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startStandaloneEsignet(
  options: Pick<SandboxOptions, 'esignetVersion' | 'host'> = {},
): Promise<StandaloneEsignet> {
  const realm = await Realm.create();
  const credentials = newSandboxCredentials();
  realm.addClient({
    clientId: credentials.mosipClientId,
    secret: credentials.mosipClientSecret,
    roles: [],
    scopes: ['add_oidc_client', 'update_oidc_client'],
  });
  const ctx: SandboxContext = { realm, urls: { mosip: '', esignet: '', odoo: '', control: '' }, options, credentials };
  const esignet = await createEsignet(ctx);
  const requests: RecordedRequest[] = [];
  const service = new SandboxService('esignet', esignet.routes, requests);
  ctx.urls.esignet = await service.listen(0, options.host ?? '127.0.0.1');
  let scopedClients = 0;
  return {
    domain: ctx.urls.esignet,
    serviceUrl: ctx.urls.esignet + SERVLET_PATH,
    esignet,
    realm,
    credentials,
    requests,
    async tokenWithScopes(scopes) {
      const client = { clientId: `scoped-client-${++scopedClients}`, secret: randomSecret(), roles: [], scopes };
      realm.addClient(client);
      return (await realm.clientCredentialsGrant(client.clientId, client.secret))!;
    },
    close: () => service.close(),
  };
}
