// A sandbox, a spec that points at it and the worker-side secrets that spec references.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index.js';
import { validateSpec } from '../../src/spec/load.js';
import type { DeploymentSpec, DeploymentSpecInput } from '../../src/spec/schema.js';
import { CredentialStore } from '../../src/activities/credential-store.js';
import type { ActivityDeps } from '../../src/activities/index.js';
import { AesGcmCodec, keyRingFromKeys } from '../../src/security/codec.js';
import { approver } from './approvers.js';
import { loopbackPolicy } from './loopback-policy.js';

/** Secret references of the test spec → the sandbox's generated values, as the worker's environment. */
export function secretEnv(sandbox: Sandbox): NodeJS.ProcessEnv {
  const c = sandbox.credentials;
  return {
    G2P_SECRET_MOSIP_CLIENT_SECRET: c.mosipClientSecret,
    G2P_SECRET_PARTNER_ADMIN_PASSWORD: c.partnerAdminPassword,
    G2P_SECRET_PARTNER_PASSWORD: c.partnerPassword,
    G2P_SECRET_IDA_CLIENT_SECRET: c.idaClientSecret,
    G2P_SECRET_ESIGNET_CLIENT_SECRET: c.esignetClientMgmtSecret,
    G2P_SECRET_ODOO_PASSWORD: c.odooPassword,
    G2P_SECRET_VERIFICATION_OTP: c.verificationOtp,
  };
}

export function sandboxSpecInput(sandbox: Sandbox, deploymentId: string): DeploymentSpecInput {
  const u = sandbox.urls;
  return {
    deploymentId,
    mosip: {
      apiBaseUrl: u.mosip,
      version: '1.2.0.1',
      clientId: sandbox.credentials.mosipClientId,
      clientSecret: 'env:G2P_SECRET_MOSIP_CLIENT_SECRET',
      partnerAdmin: {
        userName: sandbox.credentials.partnerAdminUser,
        password: 'env:G2P_SECRET_PARTNER_ADMIN_PASSWORD',
      },
      certificateReader: {
        clientId: sandbox.credentials.idaClientId,
        clientSecret: 'env:G2P_SECRET_IDA_CLIENT_SECRET',
      },
    },
    esignet: {
      baseUrl: `${u.esignet}/v1/esignet`,
      version: '1.4.1',
      clientManagement: {
        tokenUrl: `${u.mosip}/auth/realms/mosip/protocol/openid-connect/token`,
        clientId: sandbox.credentials.esignetClientMgmtClientId,
        clientSecret: 'env:G2P_SECRET_ESIGNET_CLIENT_SECRET',
      },
    },
    openg2p: {
      url: u.odoo,
      database: sandbox.credentials.odooDatabase,
      login: sandbox.credentials.odooLogin,
      password: 'env:G2P_SECRET_ODOO_PASSWORD',
      // One OpenG2P serves every test deployment: each gets its own provider record.
      provider: { name: `e-Signet ${deploymentId}`, idTypeName: 'NATIONAL ID' },
    },
    partners: {
      auth: {
        id: `${deploymentId}-auth`,
        organisation: `Org ${deploymentId}`,
        address: '1 Registry Road',
        contactNumber: '+10000000001',
        email: `auth@${deploymentId}.example`,
        policyGroup: 'openg2p-policy-group',
        policy: 'openg2p-auth-policy',
        password: 'env:G2P_SECRET_PARTNER_PASSWORD',
      },
      misp: {
        id: `${deploymentId}-misp`,
        organisation: `Org ${deploymentId}`,
        address: '1 Registry Road',
        contactNumber: '+10000000002',
        email: `misp@${deploymentId}.example`,
      },
    },
    oidcClient: { name: `OpenG2P ${deploymentId}`, logoUri: 'https://openg2p.org/logo.png' },
    approval: { approvers: [approver('alice'), approver('bob')], pollInterval: '1s', deadline: '14d' },
  };
}

/** The fixture spec's shape without a sandbox behind it: for tests whose activities are mocked or absent. */
export function offlineSpecInput(deploymentId: string): DeploymentSpecInput {
  const nowhere = {
    urls: { mosip: 'http://127.0.0.1:1', esignet: 'http://127.0.0.1:2', odoo: 'http://127.0.0.1:3' },
    credentials: new Proxy({}, { get: () => 'x' }),
  } as unknown as Sandbox;
  return sandboxSpecInput(nowhere, deploymentId);
}

/**
 * The end-to-end login check, for the test that wants it: the sandbox has one test identity,
 * and OpenG2P creates one user per e-mail, so only the first deployment's login can create it.
 */
export function withLoginCheck(sandbox: Sandbox): (s: DeploymentSpecInput) => void {
  return (s) => {
    s.verification = {
      individualId: sandbox.credentials.verificationIndividualId,
      otp: 'env:G2P_SECRET_VERIFICATION_OTP',
    };
  };
}

/** A valid spec for `deploymentId`; the sandbox gets the partner's login. */
export function sandboxSpec(
  sandbox: Sandbox,
  deploymentId: string,
  change?: (s: DeploymentSpecInput) => void,
): DeploymentSpec {
  const input = sandboxSpecInput(sandbox, deploymentId);
  change?.(input);
  sandbox.addPartnerUser(input.partners.auth.id);
  return validateSpec(input, `test spec ${deploymentId}`);
}

/**
 * A worker's dependencies in the test's process: the loopback policy (secrets under `<dir>/secrets/<deploymentId>/`,
 * the sandbox's hosts), the spec's secrets as `G2P_SECRET_*` variables, a fresh credential store.
 */
export async function testDeps(sandbox: Sandbox, change?: (deps: ActivityDeps) => void): Promise<ActivityDeps> {
  const dir = await mkdtemp(join(tmpdir(), 'g2p-onboard-test-'));
  const deps: ActivityDeps = {
    policy: loopbackPolicy(join(dir, 'secrets')),
    secrets: { env: secretEnv(sandbox), protectedPaths: [] },
    credentials: new CredentialStore(join(dir, 'credentials')),
  };
  change?.(deps);
  return deps;
}

export function testCodec(): AesGcmCodec {
  return new AesGcmCodec(keyRingFromKeys(randomBytes(32)));
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox(options);
}
