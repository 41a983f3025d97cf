// Starts the stand-ins of MOSIP (authmanager, Keycloak realm, PMS, policy manager,
// keymanager), e-Signet and OpenG2P/Odoo on loopback ports, plus a control API for tests
// and demos. Each system lives in its own module; this file only wires them.
import { Realm } from './realm.js';
import { SandboxService, type RecordedRequest } from './router.js';
import { createMosip } from './mosip/index.js';
import { createEsignet } from './esignet/index.js';
import { createOdoo } from './odoo/index.js';
import { createControl } from './control.js';
import { FaultInjector } from './faults.js';
import { newSandboxCredentials, type SandboxContext, type SandboxOptions, type SandboxUrls } from './context.js';
import type { Sandbox } from './sandbox.js';

export type { SandboxContext, SandboxCredentials, SandboxOptions, SandboxUrls } from './context.js';
export type { Sandbox } from './sandbox.js';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const credentials = newSandboxCredentials();

  const urls: SandboxUrls = { mosip: '', esignet: '', odoo: '', control: '' };
  const realm = await Realm.create();
  realm.addClient({
    clientId: credentials.mosipClientId,
    secret: credentials.mosipClientSecret,
    roles: ['PARTNER_ADMIN', 'PARTNERMANAGER'],
    scopes: ['add_oidc_client', 'update_oidc_client'],
  });
  realm.addClient({
    clientId: credentials.idaClientId,
    secret: credentials.idaClientSecret,
    roles: ['ID_AUTHENTICATION'],
    scopes: [],
  });
  realm.addUser({
    userName: credentials.partnerAdminUser,
    password: credentials.partnerAdminPassword,
    roles: ['PARTNER_ADMIN', 'PARTNERMANAGER', 'POLICYMANAGER'],
    email: 'partneradmin@sandbox.mosip.test',
  });
  const addPartnerUser = (partnerId: string) =>
    realm.addUser({ userName: partnerId, password: credentials.partnerPassword, roles: ['AUTH_PARTNER', 'PARTNER'] });
  for (const id of options.partnerUsers ?? []) addPartnerUser(id);

  const ctx: SandboxContext = { realm, urls, options, credentials };
  const requests: RecordedRequest[] = [];
  const mosip = createMosip(ctx);
  const esignet = await createEsignet(ctx);
  const odoo = createOdoo(ctx);
  const services = {
    mosip: new SandboxService('mosip', mosip.routes, requests),
    esignet: new SandboxService('esignet', esignet.routes, requests),
    odoo: new SandboxService('odoo', odoo.routes, requests),
  };
  const faults = new FaultInjector();
  for (const rule of options.faults?.rules ?? []) faults.add(rule);
  if (options.faults?.global) faults.setGlobal(options.faults.global);
  for (const service of Object.values(services)) service.interceptor = faults.interceptorFor(service.system);
  const sandbox: Omit<Sandbox, 'close'> = {
    urls,
    credentials,
    realm,
    requests,
    mosip,
    esignet,
    odoo,
    faults,
    approvalNotices: [],
    addPartnerUser,
  };
  const control = new SandboxService('control', createControl(sandbox as Sandbox), []);
  const all = [...Object.values(services), control];
  try {
    urls.mosip = await services.mosip.listen(options.ports?.mosip ?? 0, host);
    urls.esignet = await services.esignet.listen(options.ports?.esignet ?? 0, host);
    urls.odoo = await services.odoo.listen(options.ports?.odoo ?? 0, host);
    urls.control = await control.listen(options.ports?.control ?? 0, host);
  } catch (err) {
    await Promise.all(all.map((s) => s.close()));
    throw err;
  }
  return {
    ...sandbox,
    close: async () => {
      mosip.stop?.();
      await Promise.all(all.map((s) => s.close()));
    },
  };
}
