// Serves only the OpenG2P stand-in, for tests of the Odoo client and activities that need
// no MOSIP or e-Signet: same module as the full sandbox, its own loopback port.
import {
  newSandboxCredentials,
  type SandboxContext,
  type SandboxCredentials,
  type SandboxOptions,
} from '../context.js';
import { Realm } from '../realm.js';
import { SandboxService, type RecordedRequest } from '../router.js';
import { createOdoo, type OdooSandbox } from './index.js';

export interface StandaloneOdoo {
  url: string;
  odoo: OdooSandbox;
  credentials: SandboxCredentials;
  requests: RecordedRequest[];
  service: SandboxService;
  close(): Promise<void>;
}

export async function startOdooSandbox(
  options: Pick<SandboxOptions, 'odooVersion' | 'openg2pModuleVersions'> = {},
): Promise<StandaloneOdoo> {
  const credentials = newSandboxCredentials();
  const ctx: SandboxContext = {
    realm: await Realm.create(),
    urls: { mosip: '', esignet: '', odoo: '', control: '' },
    options,
    credentials,
  };
  const odoo = createOdoo(ctx);
  const requests: RecordedRequest[] = [];
  const service = new SandboxService('odoo', odoo.routes, requests);
  ctx.urls.odoo = await service.listen(0, '127.0.0.1');
  return { url: ctx.urls.odoo, odoo, credentials, requests, service, close: () => service.close() };
}
