// The OIDC claims an Auth policy allows, derived as PMS derives a client's claims on its own
// path (ClientManagementServiceImpl, release-1.2.0.1): the policy's `allowedKycAttributes`
// (ID-schema attribute names, compared lower-cased) mapped to claims through e-Signet's
// identity mapping (`mosip.pms.esignet.claims-mapping-file-url`, mosip-config v1.2.0.1
// `identity-mapping.json`). A claim is allowed when any attribute it maps to is. On the e-Signet
// path nothing else checks this: a client registered with claims beyond its partner's policy is
// accepted by e-Signet and then gets no such data from IDA.
import { PolicyManagerClient, type PolicyDetail } from '../clients/policymanager.js';
import { mosipServiceUrls } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { SecretScope } from '../security/secrets.js';
import type { ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { partnerAdminToken } from './mosip-session.js';

/** Claim → the ID-schema attributes behind it (`identity-mapping.json`, mosip-config v1.2.0.1). */
export const CLAIM_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  name: ['fullName'],
  gender: ['gender'],
  email: ['email'],
  birthdate: ['dateOfBirth'],
  picture: ['face'],
  phone_number: ['phone'],
  address: ['addressLine1', 'addressLine2', 'addressLine3', 'city', 'region', 'province', 'postalCode'],
  individual_id: ['individual_id'],
  locality: ['city'],
  region: ['region'],
  postal_code: ['postalCode'],
  country: ['province'],
  street_address: ['addressLine1', 'addressLine2', 'addressLine3'],
};

/**
 * `amr-acr-mapping.json` (mosip-config v1.2.0.1): each ACR's AMRs, each AMR's auth factor types.
 * PMS keeps an AMR when the policy allows all its factor types, and an ACR when all its AMRs are kept.
 */
const AMR_FACTOR_TYPES: Readonly<Record<string, readonly string[]>> = {
  PWD: ['PWD'],
  PIN: ['PIN'],
  OTP: ['OTP'],
  Wallet: ['WLA'],
  'L1-bio-device': ['BIO'],
};
const ACR_AMRS: Readonly<Record<string, readonly string[]>> = {
  'mosip:idp:acr:password': ['PWD'],
  'mosip:idp:acr:static-code': ['PIN'],
  'mosip:idp:acr:generated-code': ['OTP'],
  'mosip:idp:acr:linked-wallet': ['Wallet'],
  'mosip:idp:acr:biometrics': ['L1-bio-device'],
};

/** The policy's `allowedKycAttributes[].attributeName`, lower-cased. */
export function allowedKycAttributes(policies: PolicyDetail['policies']): Set<string> {
  const list = Array.isArray(policies?.allowedKycAttributes)
    ? (policies.allowedKycAttributes as { attributeName?: unknown }[])
    : [];
  return new Set(list.map((a) => String(a?.attributeName ?? '').toLowerCase()).filter(Boolean));
}

/** The policy's `allowedAuthTypes[].authType`, lower-cased. */
function allowedAuthTypes(policies: PolicyDetail['policies']): Set<string> {
  const list = Array.isArray(policies?.allowedAuthTypes) ? (policies.allowedAuthTypes as { authType?: unknown }[]) : [];
  return new Set(list.map((a) => String(a?.authType ?? '').toLowerCase()).filter(Boolean));
}

/**
 * What PMS registers for a client on its own path (ClientManagementServiceImpl): the claims e-Signet
 * supports whose attributes the policy allows, and the ACRs whose auth factors it allows.
 */
export function pmsDerivedClient(
  policies: PolicyDetail['policies'],
  claimsSupported: readonly string[],
): { claims: string[]; acrs: string[] } {
  const attributes = allowedKycAttributes(policies);
  const claims = claimsSupported.filter((c) =>
    (CLAIM_ATTRIBUTES[c] ?? []).some((a) => attributes.has(a.toLowerCase())),
  );
  const types = allowedAuthTypes(policies);
  const amrs = Object.keys(AMR_FACTOR_TYPES).filter((amr) =>
    AMR_FACTOR_TYPES[amr]!.every((t) => types.has(t.toLowerCase())),
  );
  const acrs = Object.keys(ACR_AMRS).filter((acr) => ACR_AMRS[acr]!.every((amr) => amrs.includes(amr)));
  return { claims, acrs };
}

export interface ClaimsAgainstPolicy {
  /** The spec's claims the policy allows, in the spec's order. */
  allowed: string[];
  /** The spec's claims it does not: no attribute they map to is allowed (or no attribute maps to them). */
  outside: string[];
}

export function claimsAgainstPolicy(
  claims: readonly string[],
  policies: PolicyDetail['policies'],
): ClaimsAgainstPolicy {
  const attributes = allowedKycAttributes(policies);
  const isAllowed = (claim: string) => (CLAIM_ATTRIBUTES[claim] ?? []).some((a) => attributes.has(a.toLowerCase()));
  return { allowed: claims.filter(isAllowed), outside: claims.filter((c) => !isAllowed(c)) };
}

/** What to say about claims outside the policy: which, why, and the three ways out. */
export function outsidePolicyMessage(
  spec: DeploymentSpec,
  outside: readonly string[],
  policies: PolicyDetail['policies'],
): string {
  const attributes = [...allowedKycAttributes(policies)];
  const why = outside
    .map((c) =>
      CLAIM_ATTRIBUTES[c] ? `${c} (needs ${CLAIM_ATTRIBUTES[c].join(' or ')})` : `${c} (no ID attribute maps to it)`,
    )
    .join(', ');
  return (
    `oidcClient.claims ${outside.join(', ')} are not allowed by the Auth policy "${spec.partners.auth.policy}": ${why}; ` +
    `its allowedKycAttributes are ${attributes.length ? attributes.join(', ') : 'empty'}. Remove them from oidcClient.claims, ` +
    'ask the Partner Admin to allow their attributes in the policy, or set oidcClient.claimsOutsidePolicy: drop to register only the allowed ones'
  );
}

/** The spec's Auth policy as the policy manager shows it (published policies of the partner's group); undefined when absent. */
export async function readAuthPolicy(
  spec: DeploymentSpec,
  adminToken: string,
  deps: ActivityDeps,
): Promise<PolicyDetail | undefined> {
  const { policyGroup, policy } = spec.partners.auth;
  const policies = new PolicyManagerClient(mosipServiceUrls(spec.mosip).policymanager, adminToken, deps.http);
  const listed = (await policies.activePoliciesOfGroup(policyGroup)).find((p) => p.name === policy);
  return listed && policies.getPolicy(listed.id);
}

/**
 * The claims to register on e-Signet: the spec's, or with `claimsOutsidePolicy: drop` only those
 * the policy allows (read again: the Partner Admin may have changed it since the prerequisites).
 */
export async function claimsToRegister(
  spec: DeploymentSpec,
  secrets: SecretScope,
  deps: ActivityDeps,
): Promise<string[]> {
  if (spec.oidcClient.claimsOutsidePolicy !== 'drop') return spec.oidcClient.claims;
  const detail = await readAuthPolicy(spec, await partnerAdminToken(spec, secrets, deps.http), deps);
  if (!detail) {
    throw blockingFailure(
      'PolicyMissing',
      `policy group ${spec.partners.auth.policyGroup} has no active policy named "${spec.partners.auth.policy}"`,
      { system: 'policymanager' },
    );
  }
  const { allowed, outside } = claimsAgainstPolicy(spec.oidcClient.claims, detail.policies);
  if (allowed.length === 0) {
    throw blockingFailure('ClaimsOutsidePolicy', outsidePolicyMessage(spec, outside, detail.policies), {
      system: 'policymanager',
      hint: 'none of oidcClient.claims is allowed by the Auth policy: ask the Partner Admin to allow their attributes, or name claims it allows, then `g2p-onboard retry`',
    });
  }
  return allowed;
}
