// Starts the stand-ins of MOSIP (authmanager, Keycloak realm, PMS, policy manager,
// keymanager), e-Signet and OpenG2P/Odoo on loopback ports, plus a control API for tests
// and demos. Each system lives in its own module; this file only wires them.
import { Realm, randomSecret } from './realm.js';
import { SandboxService, type RecordedRequest } from './router.js';
import { createMosip, type MosipSandbox } from './mosip/index.js';
import { createEsignet, type EsignetSandbox } from './esignet/index.js';
import { createOdoo, type OdooSandbox } from './odoo/index.js';
import { createControl } from './control.js';
import { FaultInjector, type FaultRuleInput, type GlobalFaultsInput } from './faults.js';

export interface SandboxOptions {
  ports?: Partial<Record<keyof SandboxUrls, number>>;
  host?: string;
  /** e-Signet release whose error codes and rules to follow. */
  esignetVersion?: '1.4.1' | '1.7.0';
  /** OpenG2P generation served: 15 = OpenG2P 1.x (auth_oidc fork + g2p_auth_id_oidc). */
  odooVersion?: 15 | 17;
  /** false serves a plain Odoo: auth_oauth without OpenG2P's OIDC modules (auth_oidc/g2p_auth_oidc, g2p_auth_id_oidc). */
  openg2pModules?: boolean;
  /** Demo mode: the sandbox's Partner Admin approves policy mappings in the "portal" after this delay. */
  autoApproveMappingsAfterMs?: number;
  /** Partner users (Keycloak username = partner id) to create with role AUTH_PARTNER, password = credentials.partnerPassword. */
  partnerUsers?: string[];
  /** Faults injected from the start (the command line's --fault, --fault-rate, --latency-ms). */
  faults?: { rules?: (string | FaultRuleInput)[]; global?: GlobalFaultsInput };
}

export interface SandboxUrls {
  /** MOSIP API gateway: /v1/authmanager, /v1/partnermanager, /v1/policymanager, /v1/keymanager, /auth/realms/mosip (Keycloak). */
  mosip: string;
  /** e-Signet domain; the service is under /v1/esignet. */
  esignet: string;
  /** OpenG2P (Odoo) base URL. */
  odoo: string;
  /** Test/demo control API: request log, users, faults, counts. */
  control: string;
}

/** Credentials the sandbox generated at start; nothing here is fixed in code. */
export interface SandboxCredentials {
  mosipClientId: string;
  mosipClientSecret: string;
  partnerAdminUser: string;
  partnerAdminPassword: string;
  /** Password of every partner user the sandbox creates. */
  partnerPassword: string;
  /** Service account keymanager lets read certificates (role ID_AUTHENTICATION), as mosip-ida-client in MOSIP. */
  idaClientId: string;
  idaClientSecret: string;
  esignetClientMgmtClientId: string;
  esignetClientMgmtSecret: string;
  odooDatabase: string;
  odooLogin: string;
  odooPassword: string;
  verificationIndividualId: string;
  verificationOtp: string;
}

export interface SandboxContext {
  realm: Realm;
  urls: SandboxUrls;
  options: SandboxOptions;
  credentials: SandboxCredentials;
}

export interface Sandbox {
  urls: SandboxUrls;
  credentials: SandboxCredentials;
  realm: Realm;
  requests: RecordedRequest[];
  mosip: MosipSandbox;
  esignet: EsignetSandbox;
  odoo: OdooSandbox;
  /** Fault injection on the MOSIP, e-Signet and OpenG2P ports (never the control port). */
  faults: FaultInjector;
  /** Approval notices received on the control port's /approval-notices (a webhook receiver). */
  approvalNotices: { noticeId: string }[];
  addPartnerUser(partnerId: string): void;
  close(): Promise<void>;
}

/** Fresh random credentials for one sandbox; nothing here is fixed in code. */
export function newSandboxCredentials(): SandboxCredentials {
  const credentials: SandboxCredentials = {
    mosipClientId: 'mosip-pms-client',
    mosipClientSecret: randomSecret(),
    partnerAdminUser: 'partneradmin',
    partnerAdminPassword: randomSecret(),
    partnerPassword: randomSecret(),
    idaClientId: 'mosip-ida-client',
    idaClientSecret: randomSecret(),
    esignetClientMgmtClientId: 'mosip-pms-client',
    esignetClientMgmtSecret: '',
    odooDatabase: 'openg2p',
    odooLogin: 'admin',
    odooPassword: randomSecret(),
    verificationIndividualId: '8267411571',
    verificationOtp: String(100000 + Math.floor(Math.random() * 900000)),
  };
  // One Keycloak client serves both the authmanager login and e-Signet client management, as in MOSIP deployments.
  credentials.esignetClientMgmtSecret = credentials.mosipClientSecret;
  return credentials;
}

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
  realm.addClient({ clientId: credentials.idaClientId, secret: credentials.idaClientSecret, roles: ['ID_AUTHENTICATION'], scopes: [] });
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
  const sandbox: Omit<Sandbox, 'close'> = { urls, credentials, realm, requests, mosip, esignet, odoo, faults, approvalNotices: [], addPartnerUser };
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
