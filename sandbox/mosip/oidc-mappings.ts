// What PMS derives an OIDC client's claims, ACRs and id from (release-1.2.0.1
// ClientManagementServiceImpl + AuthenticationContextRefUtil, mappings from mosip-config v1.2.0.1):
// the Auth policy's KYC attributes and auth types, e-Signet's identity and amr-acr mappings.
import { createHash } from 'node:crypto';
import { fail } from './envelope.js';

/** `identity-mapping.json` (mosip-config v1.2.0.1), the entries whose key is an OIDC claim. */
const IDENTITY_MAPPING: Record<string, string> = {
  name: 'fullName',
  gender: 'gender',
  email: 'email',
  birthdate: 'dateOfBirth',
  picture: 'face',
  phone_number: 'phone',
  address: 'addressLine1,addressLine2,addressLine3,city,region,province,postalCode',
  individual_id: 'individual_id',
  locality: 'city',
  region: 'region',
  postal_code: 'postalCode',
  country: 'province',
  street_address: 'addressLine1,addressLine2,addressLine3',
};

/** `amr-acr-mapping.json` (mosip-config v1.2.0.1). */
const AMR: Record<string, string[]> = {
  PWD: ['PWD'],
  PIN: ['PIN'],
  OTP: ['OTP'],
  Wallet: ['WLA'],
  'L1-bio-device': ['BIO'],
};
const ACR_AMR: Record<string, string[]> = {
  'mosip:idp:acr:password': ['PWD'],
  'mosip:idp:acr:static-code': ['PIN'],
  'mosip:idp:acr:generated-code': ['OTP'],
  'mosip:idp:acr:linked-wallet': ['Wallet'],
  'mosip:idp:acr:biometrics': ['L1-bio-device'],
};

/**
 * `clientId` = base64url (no padding) of SHA-256 over jose4j `RsaJsonWebKey.toJson()`: members in
 * the order kty, kid, use, alg, n, e (JsonWebKey.toParams) and no whitespace. Undefined when jose4j
 * could not read the map as an RSA key (PMS then fails with a plain Exception).
 */
export function pmsClientId(jwk: Record<string, unknown>): { clientId: string; storedKey: string } | undefined {
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string' || !jwk.n || !jwk.e) return undefined;
  const ordered: Record<string, unknown> = { kty: 'RSA' };
  for (const member of ['kid', 'use', 'alg'] as const)
    if (typeof jwk[member] === 'string') ordered[member] = jwk[member];
  ordered.n = jwk.n;
  ordered.e = jwk.e;
  const storedKey = JSON.stringify(ordered);
  return { clientId: createHash('sha256').update(storedKey).digest('base64url'), storedKey };
}

interface PolicyEntry {
  name: string;
  mandatory: unknown;
}

/** `getReqAttributeFromPolicyJson`: lower-cased names; with the `mandatory` filter a true flag is PMS_IDP_003. */
function policyAttributes(
  policy: Record<string, unknown>,
  parent: string,
  child: string,
  filterMandatory: boolean,
): Set<string> {
  const list = Array.isArray(policy[parent]) ? (policy[parent] as Record<string, unknown>[]) : [];
  const names = new Set<string>();
  for (const entry of list.map((e): PolicyEntry => ({ name: String(e[child] ?? ''), mandatory: e.mandatory }))) {
    if (filterMandatory && entry.mandatory === true)
      fail('PMS_IDP_003', "Policy having mandatory auths. So client can't be created for the same.");
    names.add(entry.name.toLowerCase());
  }
  return names;
}

/** `getPolicySupportedClaims`: claims e-Signet supports whose mapped ID attributes the policy allows. */
export function policyClaims(policy: Record<string, unknown>, claimsSupported: string[]): string[] {
  const attributes = policyAttributes(policy, 'allowedKycAttributes', 'attributeName', false);
  return claimsSupported.filter((claim) => {
    const mapped = IDENTITY_MAPPING[claim];
    return mapped !== undefined && mapped.split(',').some((attr) => attributes.has(attr.toLowerCase()));
  });
}

/** `getAuthFactors`: AMRs all of whose factor types the policy allows, then ACRs all of whose AMRs matched. */
export function policyAcrs(policy: Record<string, unknown>): string[] {
  const authTypes = policyAttributes(policy, 'allowedAuthTypes', 'authType', true);
  const amrs = Object.entries(AMR)
    .filter(([, types]) => types.every((t) => authTypes.has(t.toLowerCase())))
    .map(([amr]) => amr);
  return Object.entries(ACR_AMR)
    .filter(([, needed]) => needed.every((amr) => amrs.includes(amr)))
    .map(([acr]) => acr);
}
