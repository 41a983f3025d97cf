// What a MOSIP installation already holds when OpenG2P onboarding starts: the seeded
// partner types, and a policy group with the Auth policy the Partner Admin published
// (plus a drafted and an expired policy in the same group, for negative tests, and a narrower
// one that allows no address and no photo, like the policy of the real deployment we met).
import { randomUUID } from 'node:crypto';
import type { MosipState, PartnerTypeRecord, PolicyGroupRecord, PolicyRecord } from './state.js';

/** `db_scripts/mosip_pms/dml/pms-partner_type.csv` (PMS release-1.2.0.1). */
export const PARTNER_TYPES: PartnerTypeRecord[] = [
  { code: 'Auth_Partner', isPolicyRequired: true },
  { code: 'Credential_Partner', isPolicyRequired: true },
  { code: 'Online_Verification_Partner', isPolicyRequired: true },
  { code: 'ABIS_Partner', isPolicyRequired: true },
  { code: 'Manual_Adjudication', isPolicyRequired: true },
  { code: 'Print_Partner', isPolicyRequired: true },
  { code: 'Internal_Partner', isPolicyRequired: true },
  { code: 'Device_Provider', isPolicyRequired: false },
  { code: 'FTM_Provider', isPolicyRequired: false },
  { code: 'MISP_Partner', isPolicyRequired: false },
  { code: 'SDK_Partner', isPolicyRequired: false },
  { code: 'Partner_Admin', isPolicyRequired: false },
];

export const SEEDED_POLICY_GROUP = 'openg2p-policy-group';
export const SEEDED_AUTH_POLICY = 'openg2p-auth-policy';
export const SEEDED_DRAFT_POLICY = 'openg2p-draft-policy';
export const SEEDED_EXPIRED_POLICY = 'openg2p-expired-policy';
/** Published, Auth, but its KYC attributes leave out the address and the face: no `address`, no `picture` claim. */
export const SEEDED_BASIC_POLICY = 'openg2p-auth-basic-policy';

const FULL_KYC_ATTRIBUTES = [
  'fullName',
  'name',
  'email',
  'phone',
  'gender',
  'birthdate',
  'dateOfBirth',
  'address',
  'addressLine1',
  'city',
  'face',
  'picture',
  'individual_id',
];
const BASIC_KYC_ATTRIBUTES = ['fullName', 'email', 'phone', 'gender', 'dateOfBirth', 'individual_id'];

const DAY_MS = 24 * 3600 * 1000;

/** Auth policy JSON in the shape of mosip-onboarding's `default-auth-policy.json`. */
function authPolicyDocument(kycAttributes = FULL_KYC_ATTRIBUTES): Record<string, unknown> {
  // ID-schema attribute names, as in mosip-onboarding's default-demo-oidc-policy.json: PMS maps them to
  // OIDC claims through e-Signet's identity mapping (fullName → name, face → picture, addressLine1 → address…).
  return {
    allowedAuthTypes: [
      { authType: 'otp', authSubType: '', mandatory: false },
      { authType: 'bio', authSubType: 'FINGER', mandatory: false },
      { authType: 'bio', authSubType: 'IRIS', mandatory: false },
      { authType: 'bio', authSubType: 'FACE', mandatory: false },
      { authType: 'demo', authSubType: '', mandatory: false },
      { authType: 'kyc', authSubType: '', mandatory: false },
    ],
    allowedKycAttributes: kycAttributes.map((attributeName) => ({ attributeName })),
    authTokenType: 'partner',
  };
}

function policy(group: PolicyGroupRecord, name: string, fields: Partial<PolicyRecord>): PolicyRecord {
  return {
    id: randomUUID(),
    name,
    desc: `${name} (sandbox seed)`,
    policyGroupId: group.id,
    policyType: 'Auth',
    version: '1.0',
    isActive: true,
    status: 'PUBLISHED',
    validTill: new Date(Date.now() + 365 * DAY_MS),
    policies: authPolicyDocument(),
    ...fields,
  };
}

export function createSeededState(): MosipState {
  const group: PolicyGroupRecord = {
    id: randomUUID(),
    name: SEEDED_POLICY_GROUP,
    desc: 'OpenG2P relying parties',
    isActive: true,
  };
  const policies = [
    policy(group, SEEDED_AUTH_POLICY, {}),
    policy(group, SEEDED_DRAFT_POLICY, { isActive: false, status: 'DRAFTED' }),
    policy(group, SEEDED_EXPIRED_POLICY, { validTill: new Date(Date.now() - DAY_MS) }),
    policy(group, SEEDED_BASIC_POLICY, { policies: authPolicyDocument(BASIC_KYC_ATTRIBUTES) }),
  ];
  return {
    partnerTypes: PARTNER_TYPES,
    partners: new Map(),
    policyGroups: new Map([[group.id, group]]),
    policies: new Map(policies.map((p) => [p.id, p])),
    mappings: new Map(),
    apiKeys: [],
    mispLicenses: [],
    caCertificates: [],
    partnerCertificates: new Map(),
    keyStore: new Map(),
    created: { partners: {}, policyMappings: {}, apiKeys: {}, mispLicenses: {} },
  };
}

export function policyGroupByName(state: MosipState, name: string): PolicyGroupRecord | undefined {
  return [...state.policyGroups.values()].find((g) => g.name === name);
}

/** `authPolicyRepository.findByPolicyGroupIdAndName`. */
export function policyInGroup(state: MosipState, policyGroupId: string | null, name: string): PolicyRecord | undefined {
  return [...state.policies.values()].find((p) => p.policyGroupId === policyGroupId && p.name === name);
}
