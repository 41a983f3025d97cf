// Partner ↔ policy mapping requests and API keys (PartnerServiceImpl.requestForPolicyMapping,
// PartnerManagementServiceImpl.approveRejectPartnerPolicyMapping / generateAPIKey,
// release-1.2.0.1), checks in code order.
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { ROLES, pmsRoute, requireSelfOrAdmin, type Caller } from './auth.js';
import { JavaRuntimeException, fail, str } from './envelope.js';
import { existingPartner } from './partners.js';
import { policyInGroup } from './seed.js';
import {
  countCreation,
  pmsNumericId,
  pmsSixDigitId,
  type MappingRecord,
  type MosipState,
  type PolicyRecord,
} from './state.js';

/** mosip-config v1.2.0.1 `mosip.pmp.partner.policy.expiry.period.indays`. */
const API_KEY_VALIDITY_DAYS = 90;
/** mosip-config v1.2.0.1 `pmp.bioextractors.required.partner.types`: these need extractors before approval. */
const BIO_EXTRACTOR_PARTNER_TYPES = ['credential_partner', 'online_verification_partner'];

export const policyName = (state: MosipState, policyId: string): string => state.policies.get(policyId)?.name ?? '';

function requestMapping(
  state: MosipState,
  caller: Caller,
  partnerId: string,
  request: Record<string, unknown> | null,
  onCreated: (m: MappingRecord) => void,
) {
  requireSelfOrAdmin(caller, partnerId);
  const partner = existingPartner(state, partnerId);
  if (!partner.isActive) fail('PMS_PMP_016', 'Partner is not active.');
  if (!partner.policyGroupId) fail('PMS_PRT_047', 'Partner is not mapped to policy group');
  const policy = policyInGroup(state, partner.policyGroupId, str(request, 'policyName'));
  if (!policy) fail('PMS_PRT_098', "Given policy under partner's policy group not exists.");
  if (!policy.isActive) fail('PMS_PMP_019', 'Policy is not active.');
  if (policy.validTill < new Date()) fail('PMS_PMP_018', 'Policy expired.');
  if (!state.policyGroups.get(policy.policyGroupId)?.isActive) fail('PMS_PMP_023', 'Policy group is not active.');
  const existing = [...state.mappings.values()].filter((m) => m.partnerId === partnerId && m.policyId === policy.id);
  for (const blocking of ['InProgress', 'approved'] as const) {
    if (existing.some((m) => m.statusCode === blocking)) {
      fail('PMS_PRT_053', `Mapping exists for given policy and partner and is in ${blocking} state.`);
    }
  }
  const mapping: MappingRecord = {
    mappingKey: pmsNumericId((id) => state.mappings.has(id)),
    partnerId,
    policyId: policy.id,
    statusCode: 'InProgress',
    requestDetail: str(request, 'useCaseDescription'),
    createdBy: caller.userId,
    createdAt: new Date(),
  };
  state.mappings.set(mapping.mappingKey, mapping);
  countCreation(state.created.policyMappings, `${partnerId}/${policy.name}`);
  onCreated(mapping);
  return { mappingkey: mapping.mappingKey, message: 'Policy mapping request submitted successfully.' };
}

/** `validatePolicy` of the approval path (its own codes and messages). */
function approvablePolicy(state: MosipState, policyId: string): PolicyRecord {
  const policy = state.policies.get(policyId);
  if (!policy) fail('PMS_PMP_017', 'Partner is not mapped to any policy.');
  if (!policy.isActive) fail('PMS_PMP_019', 'Partner policy is not active.');
  const group = state.policyGroups.get(policy.policyGroupId);
  if (!group) fail('PMS_PMP_022', 'Policy group not exists.');
  if (!group.isActive) fail('PMS_PMP_023', 'Policy group is not active.');
  if (policy.validTill < new Date()) fail('PMS_PMP_018', 'Partner policy got expired.');
  return policy;
}

/** PUT /partners/policy/{mappingkey}; also what the Partner Admin's portal click does. */
export function decideMapping(state: MosipState, mappingKey: string, status: string, decidedBy: string): string {
  const mapping = state.mappings.get(mappingKey);
  if (!mapping) fail('PMS_PMP_007', 'Partner api key does not exist');
  if (mapping.statusCode === 'approved') fail('PMS_PM_034', 'Policy request already approved.');
  if (mapping.statusCode === 'rejected') fail('PMS_PM_035', 'Policy request already rejected.');
  const partner = state.partners.get(mapping.partnerId);
  if (partner && BIO_EXTRACTOR_PARTNER_TYPES.includes(partner.partnerTypeCode.toLowerCase())) {
    fail('PMS_PM_051', 'Extractors are not present. Please add extractors.');
  }
  approvablePolicy(state, mapping.policyId);
  const decision = status.toLowerCase();
  if (decision !== 'approved' && decision !== 'rejected')
    fail('PMS_PM_045', 'Status should be either Approved or Rejected');
  mapping.statusCode = decision;
  mapping.updatedBy = decidedBy;
  mapping.updatedAt = new Date();
  return decision === 'approved' ? 'Policy mapping approved successfully' : 'Policy mapping rejected successfully';
}

function generateApiKey(state: MosipState, caller: Caller, partnerId: string, request: Record<string, unknown> | null) {
  // Always the partner itself: even a Partner Admin cannot generate a partner's key.
  if (caller.userId !== partnerId) fail('PMS_PRT_055', 'User not authorized.');
  const partner = state.partners.get(partnerId);
  if (!partner) fail('PMS_PMP_005', 'Partner ID does not exist');
  if (!partner.isActive) fail('PMS_PMP_016', 'Partner is not active.');
  const policy = policyInGroup(state, partner.policyGroupId, str(request, 'policyName'));
  if (!policy) fail('PMS_PMP_014', 'Policy does not exist');
  const approved = [...state.mappings.values()].some(
    (m) => m.partnerId === partnerId && m.policyId === policy.id && m.statusCode === 'approved',
  );
  if (!approved) fail('PMS_PRT_109', 'Given policy is not mapped to partner');
  const label = str(request, 'label');
  if (state.apiKeys.some((k) => k.partnerId === partnerId && k.policyId === policy.id && k.label === label)) {
    fail('PMS_PRT_110', 'Given label already exists.Provide unique label.');
  }
  const now = new Date();
  // Observed on 1.2.0.1: the key is a 6-digit number string.
  const apiKey = pmsSixDigitId((id) => state.apiKeys.some((k) => k.apiKey === id));
  state.apiKeys.push({
    apiKey,
    partnerId,
    policyId: policy.id,
    label,
    isActive: true,
    validFrom: now,
    validTo: new Date(now.getTime() + API_KEY_VALIDITY_DAYS * 24 * 3600 * 1000),
  });
  countCreation(state.created.apiKeys, `${partnerId}/${policy.name}`);
  return { apiKey, label, policyId: policy.id, partnerId };
}

/**
 * GET /partners/{partnerId}/apikey/request, `List<APIkeyRequests>` (checked in release-1.2.0.1 and
 * 1.2.1.x/1.2.2.x): `{apiKeyReqID, apiKeyRequestStatus, partnerApiKey, apikeyStatus, validityTill}`
 * with no policy name or id. For an approved request PMS looks up `partner_policy` by the
 * request id as if it were the API key, finds nothing and throws a NullPointerException, so
 * any partner with an approved mapping gets the generic error. Clients use the search API.
 */
function apiKeyRequests(state: MosipState, partnerId: string) {
  const requests = [...state.mappings.values()].filter((m) => m.partnerId === partnerId);
  if (requests.length === 0) fail('PMS_PRT_006', 'No api key req exist');
  return requests.map((m) => {
    if (m.statusCode === 'approved') throw new JavaRuntimeException(null);
    return {
      apiKeyReqID: m.mappingKey,
      apiKeyRequestStatus: m.statusCode,
      partnerApiKey: null,
      apikeyStatus: false,
      validityTill: null,
    };
  });
}

export function mappingRoutes(realm: Realm, state: MosipState, onMappingCreated: (m: MappingRecord) => void): Route[] {
  return [
    pmsRoute(realm, {
      method: 'POST',
      path: '/v1/partnermanager/partners/:partnerId/policy/map',
      roles: ROLES.requestPolicyMapping,
      body: [
        { field: 'policyName', notNull: true },
        { field: 'useCaseDescription', notNull: true },
      ],
      ids: 'echo',
      handle: ({ caller, params, request }) =>
        requestMapping(state, caller, params.partnerId!, request, onMappingCreated),
    }),
    pmsRoute(realm, {
      method: 'PUT',
      path: '/v1/partnermanager/partners/policy/:mappingkey',
      roles: ROLES.decidePolicyMapping,
      body: [{ field: 'status', notBlank: 'value is empty or null' }],
      ids: 'echo',
      handle: ({ caller, params, request }) =>
        decideMapping(state, params.mappingkey!, str(request, 'status'), caller.userId),
    }),
    pmsRoute(realm, {
      method: 'PATCH',
      path: '/v1/partnermanager/partners/:partnerId/generate/apikey',
      roles: ROLES.generateApiKey,
      body: [
        { field: 'policyName', notBlank: true },
        { field: 'label', notBlank: true },
      ],
      ids: 'echo',
      handle: ({ caller, params, request }) => generateApiKey(state, caller, params.partnerId!, request),
    }),
    pmsRoute(realm, {
      method: 'GET',
      path: '/v1/partnermanager/partners/:partnerId/apikey/request',
      roles: ROLES.getApiKeyRequests,
      ids: { id: 'mosip.partnermanagement.partners.retrieve', version: '1.0' },
      handle: ({ params }) => apiKeyRequests(state, params.partnerId!),
    }),
  ];
}
