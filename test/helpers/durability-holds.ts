// Where the durability test holds each step's call: "mid" before the remote side acts (the call
// hangs), "after" once it committed (the write happens, the answer never comes).
import type { FaultRuleInput } from '../../sandbox/faults.js';
import { STEP_NAMES, type StepName } from '../../src/workflows/messages.js';

const PMS = '/v1/partnermanager';

export type Moment = 'mid' | 'after';
export type Target = Pick<FaultRuleInput, 'method' | 'path' | 'match'>;

export interface Deployment {
  id: string;
  auth: string;
  misp: string;
  provider: string;
}

/** Where each step's call is held; `atApproval` targets are installed once the run waits (the mapping key is known then). */
export interface StepTargets {
  step: StepName;
  mid?: (d: Deployment, mappingKey: string) => Target;
  after?: (d: Deployment, mappingKey: string) => Target;
  atApproval?: boolean;
  /** This moment's hold is not narrowed to one deployment: its run is approved before any other reaches the step. */
  approvedFirst?: Moment;
  /** This moment's run logs in end to end (the sandbox's one test identity serves one deployment only). */
  loginCheck?: Moment;
}

const quoted = (text: string) => JSON.stringify(text);

/** Every step of the runbook, by name: the compiler insists on each (STEP_NAMES is the one list). */
const HOLDS: Record<StepName, Omit<StepTargets, 'step'> | 'nothing remote'> = {
  // Read-only step; its first discovery call is held (the run is started alone, before the others).
  verifyPrerequisites: { mid: () => ({ method: 'GET', path: '/v1/esignet/oidc/.well-known/openid-configuration' }) },
  createAuthPartner: {
    mid: (d) => ({ method: 'POST', path: `${PMS}/partners/certificate/upload`, match: [quoted(d.auth)] }),
    after: (d) => ({ method: 'POST', path: `${PMS}/partners`, match: [quoted(d.auth)] }),
  },
  requestAuthPolicyMapping: {
    mid: (d) => ({ method: 'POST', path: `${PMS}/partners/${d.auth}/policy/map` }),
    after: (d) => ({ method: 'POST', path: `${PMS}/partners/${d.auth}/policy/map` }),
  },
  createMispPartner: {
    mid: (d) => ({ method: 'POST', path: `${PMS}/partners/certificate/upload`, match: [quoted(d.misp)] }),
    after: (d) => ({ method: 'POST', path: `${PMS}/partners`, match: [quoted(d.misp)] }),
  },
  requestMispLicense: {
    mid: (d) => ({ method: 'POST', path: `${PMS}/misps`, match: [quoted(d.misp)] }),
    after: (d) => ({ method: 'POST', path: `${PMS}/misps`, match: [quoted(d.misp)] }),
  },
  awaitApproval: {
    atApproval: true,
    // mid: the poll that looks for an approval given in the PMS portal; after: recording the decision on PMS.
    mid: (d) => ({ method: 'POST', path: `${PMS}/partners/apikey/request/search`, match: [quoted(d.auth)] }),
    after: (_d, mappingKey) => ({ method: 'PUT', path: `${PMS}/partners/policy/${mappingKey}` }),
  },
  collectCredentials: {
    mid: (d) => ({ method: 'PATCH', path: `${PMS}/partners/${d.auth}/generate/apikey` }),
    after: (d) => ({ method: 'PATCH', path: `${PMS}/partners/${d.auth}/generate/apikey` }),
  },
  // Calls nothing remote: its key is stored atomically before the step returns.
  generateClientKey: 'nothing remote',
  registerOidcClient: {
    mid: (d) => ({ method: 'POST', path: '/v1/esignet/client-mgmt/oidc-client', match: [quoted(d.auth)] }),
    after: (d) => ({ method: 'POST', path: '/v1/esignet/client-mgmt/oidc-client', match: [quoted(d.auth)] }),
  },
  configureOpenG2P: {
    mid: (d) => ({ method: 'POST', path: '/jsonrpc', match: ['"auth.oauth.provider","create"', quoted(d.provider)] }),
    after: (d) => ({ method: 'POST', path: '/jsonrpc', match: ['"auth.oauth.provider","create"', quoted(d.provider)] }),
  },
  verifyIntegration: {
    // mid: reading OpenG2P's login page; after: OpenG2P's callback, which signs the test identity in (and creates its user).
    mid: () => ({ method: 'GET', path: '/web/login' }),
    after: () => ({ method: 'GET', path: '/auth_oauth/signin' }),
    approvedFirst: 'mid',
    loginCheck: 'after',
  },
};

/** The holds in runbook order. */
export const STEP_TARGETS: StepTargets[] = STEP_NAMES.flatMap((step) => {
  const holds = HOLDS[step];
  return holds === 'nothing remote' ? [] : [{ step, ...holds }];
});
