// Where the day-two durability test holds each operation's calls: "mid" before the remote side
// acts (the call hangs), "after" once it committed (the write happens, the answer never comes).
// Each hold is narrowed to one deployment by its ids. Steps with nothing remote in the sandbox
// (generateNextClientKey: the worker's store; deleteDriftWatch: Temporal) have none.
import type { FaultRuleInput } from '../../sandbox/faults.js';
import type { LifecycleOperation } from '../../src/workflows/lifecycle/messages.js';
import type { LifecycleStepName } from '../../src/workflows/messages.js';

const PMS = '/v1/partnermanager';
const CLIENTS = '/v1/esignet/client-mgmt/oidc-client';

export type Target = Pick<FaultRuleInput, 'method' | 'path' | 'match'>;

/** An onboarded deployment as the holds know it. */
export interface Onboarded {
  id: string;
  auth: string;
  misp: string;
  clientId: string;
  providerId: number;
  policyId: string;
  /** The partners' certificates as onboarding uploaded them. */
  certificates: { authPartner: string; mispPartner: string };
}

export interface LifecycleHold {
  operation: LifecycleOperation;
  step: LifecycleStepName;
  moment: 'mid' | 'after';
  target: (d: Onboarded) => Target;
}

const both = (
  operation: LifecycleOperation,
  step: LifecycleStepName,
  target: (d: Onboarded) => Target,
): LifecycleHold[] => [
  { operation, step, moment: 'mid', target },
  { operation, step, moment: 'after', target },
];

export const LIFECYCLE_HOLDS: LifecycleHold[] = [
  ...both('rotate-key', 'registerNextOidcClient', (d) => ({ method: 'POST', path: CLIENTS, match: [`"${d.auth}"`] })),
  ...both('rotate-key', 'switchOpenG2PClient', (d) => ({
    method: 'POST',
    path: '/jsonrpc',
    match: ['"auth.oauth.provider","write"', `[[${d.providerId}],{"client_id":"${d.id}-`],
  })),
  // Read-only: OpenG2P's provider read back.
  {
    operation: 'rotate-key',
    step: 'verifyDeployment',
    moment: 'mid',
    target: (d) => ({ method: 'POST', path: '/jsonrpc', match: ['"search_read"', `["id","=",${d.providerId}]`] }),
  },
  ...both('rotate-key', 'deactivateOldOidcClient', (d) => ({ method: 'PUT', path: `${CLIENTS}/${d.clientId}` })),
  ...both('rotate-credentials', 'issueNextApiKey', (d) => ({
    method: 'PATCH',
    path: `${PMS}/partners/${d.auth}/generate/apikey`,
  })),
  ...both('rotate-credentials', 'deactivateOldApiKey', (d) => ({
    method: 'PATCH',
    path: `${PMS}/partners/${d.auth}/policy/${d.policyId}/apiKey/status`,
  })),
  ...both('rotate-credentials', 'renewMispLicense', (d) => ({
    method: 'PUT',
    path: `${PMS}/misps`,
    match: [`"${d.misp}"`],
  })),
  ...both('update', 'updateOidcClient', (d) => ({ method: 'PUT', path: `${CLIENTS}/${d.clientId}` })),
  ...both('update', 'updateOpenG2PProvider', (d) => ({
    method: 'POST',
    path: '/jsonrpc',
    match: ['"auth.oauth.provider","write"', `[[${d.providerId}],{"name":`],
  })),
  ...both('renew-certificates', 'renewAuthPartnerCertificate', (d) => ({
    method: 'POST',
    path: `${PMS}/partners/certificate/upload`,
    match: [`"${d.auth}"`],
  })),
  ...both('renew-certificates', 'renewMispPartnerCertificate', (d) => ({
    method: 'POST',
    path: `${PMS}/partners/certificate/upload`,
    match: [`"${d.misp}"`],
  })),
  ...both('offboard', 'disableOpenG2PProvider', (d) => ({
    method: 'POST',
    path: '/jsonrpc',
    match: ['"auth.oauth.provider","write"', `[[${d.providerId}],{"enabled":false}]`],
  })),
  ...both('offboard', 'deactivateOidcClient', (d) => ({ method: 'PUT', path: `${CLIENTS}/${d.clientId}` })),
  ...both('offboard', 'deactivateApiKey', (d) => ({
    method: 'PATCH',
    path: `${PMS}/partners/${d.auth}/policy/${d.policyId}/apiKey/status`,
  })),
  ...both('offboard', 'deactivateMispLicense', (d) => ({
    method: 'PUT',
    path: `${PMS}/misps`,
    match: [`"${d.misp}"`],
  })),
  ...both('offboard', 'deactivatePartners', (d) => ({ method: 'PATCH', path: `${PMS}/partners/${d.auth}` })),
];
