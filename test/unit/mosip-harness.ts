// The MOSIP tests' view of the sandbox: startSandbox plus logins and typed clients for the
// roles the tests play.
import { randomSecret, type Realm } from '../../sandbox/realm.js';
import type { RecordedRequest } from '../../sandbox/router.js';
import type { MosipSandbox } from '../../sandbox/mosip/index.js';
import { startSandbox, type SandboxCredentials, type SandboxOptions } from '../../sandbox/index.js';
import { AuthmanagerClient } from '../../src/clients/authmanager.js';
import { PmsClient } from '../../src/clients/pms.js';
import { KeymanagerClient } from '../../src/clients/keymanager.js';
import { IdaClient } from '../../src/clients/ida.js';

export interface MosipHarness {
  baseUrl: string;
  realm: Realm;
  credentials: SandboxCredentials;
  mosip: MosipSandbox;
  requests: RecordedRequest[];
  /** Partner Admin token (PARTNER_ADMIN, PARTNERMANAGER) via useridPwd. */
  adminToken(): Promise<string>;
  /** A partner user's token (roles as the sandbox creates partner users, or given). */
  partnerToken(partnerId: string, roles?: string[]): Promise<string>;
  pms(token: string): PmsClient;
  keymanager(): Promise<KeymanagerClient>;
  /** IDA's internal API, logged in as IDA's own client. */
  ida(): Promise<IdaClient>;
  authmanager: AuthmanagerClient;
  close(): Promise<void>;
}

export async function startMosip(options: SandboxOptions = {}): Promise<MosipHarness> {
  const sandbox = await startSandbox(options);
  const { realm, credentials } = sandbox;
  const baseUrl = sandbox.urls.mosip;
  // A service account keymanager accepts (mosip-config gives getCertificate to ID_AUTHENTICATION, not partner roles).
  const idaClient = { clientId: 'mosip-ida-client', secret: randomSecret(), roles: ['ID_AUTHENTICATION'], scopes: [] };
  realm.addClient(idaClient);
  const authmanager = new AuthmanagerClient(`${baseUrl}/v1/authmanager`);
  const login = (userName: string, password: string) =>
    authmanager.loginWithPassword({
      userName,
      password,
      appId: 'partner',
      clientId: credentials.mosipClientId,
      clientSecret: credentials.mosipClientSecret,
    });
  return {
    baseUrl,
    realm,
    credentials,
    mosip: sandbox.mosip,
    requests: sandbox.requests,
    authmanager,
    adminToken: () => login(credentials.partnerAdminUser, credentials.partnerAdminPassword),
    partnerToken: (partnerId, roles = ['AUTH_PARTNER', 'PARTNER']) => {
      realm.addUser({ userName: partnerId, password: credentials.partnerPassword, roles });
      return login(partnerId, credentials.partnerPassword);
    },
    pms: (token) => new PmsClient(`${baseUrl}/v1/partnermanager`, token),
    keymanager: async () => {
      const token = await authmanager.loginWithClientSecret({
        clientId: idaClient.clientId,
        secretKey: idaClient.secret,
        appId: 'ida',
      });
      return new KeymanagerClient(`${baseUrl}/v1/keymanager`, token);
    },
    ida: async () => {
      const token = await authmanager.loginWithClientSecret({
        clientId: idaClient.clientId,
        secretKey: idaClient.secret,
        appId: 'ida',
      });
      return new IdaClient(`${baseUrl}/idauthentication/v1/internal`, token);
    },
    close: () => sandbox.close(),
  };
}

let partnerSequence = 0;

/** A unique partner id and matching registration fields. */
export function partnerFields(kind: 'auth' | 'misp') {
  partnerSequence += 1;
  const partnerId = `${kind}-partner-${process.pid}-${partnerSequence}`;
  return {
    partnerId,
    organizationName: `OpenG2P ${kind} org ${partnerSequence}`,
    address: '1 Registry Road',
    contactNumber: '9999999999',
    emailId: `${partnerId}@openg2p.test`,
    partnerType: kind === 'auth' ? ('Auth_Partner' as const) : ('MISP_Partner' as const),
    policyGroup: kind === 'auth' ? 'openg2p-policy-group' : undefined,
  };
}
