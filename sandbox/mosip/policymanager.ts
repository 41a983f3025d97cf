// The policy manager (`/v1/policymanager`, PMS release-1.2.0.1 PolicyManagementController and
// PolicyManagementService): the read APIs onboarding uses to check the spec's policy. Its own
// ResponseWrapper has no `metadata`; errors come back as HTTP 200 with `errors[]`.
import type { Realm } from '../realm.js';
import { json, type Route, type SandboxResponse } from '../router.js';
import { authenticate, hasAnyRole } from './auth.js';
import { forbidden, localDateTime, responseTime, unauthenticated } from './envelope.js';
import { policyGroupByName } from './seed.js';
import type { MosipState, PolicyRecord } from './state.js';

/** mosip-config v1.2.0.1 partner-management-default.properties `mosip.role.pms.*`. */
export const POLICY_ROLES = {
  getactivegroupgroupname: [
    'AUTH_PARTNER',
    'CREDENTIAL_PARTNER',
    'PARTNER_ADMIN',
    'ONLINE_VERIFICATION_PARTNER',
    'ABIS_PARTNER',
    'MANUAL_ADJUDICATION',
    'POLICYMANAGER',
  ],
  getpoliciespolicyid: ['PARTNER_ADMIN', 'POLICYMANAGER'],
} as const;

/** `io.mosip.pms.policy.dto.ResponseWrapper`: id/version only from a request body (none on GET). */
const success = (response: unknown): SandboxResponse =>
  json({ id: null, version: null, responsetime: responseTime(), response, errors: [] });

/** `PolicyManagementServiceException` through ApiExceptionHandler: HTTP 200, `ServiceError{errorCode, message}`. */
const failure = (errorCode: string, message: string): SandboxResponse =>
  json({ id: null, version: null, responsetime: responseTime(), response: null, errors: [{ errorCode, message }] });

/** `PolicyManagementService.getActivePolicyDetailsByGroupName`: active (= published) policies, expired ones included. */
function activePoliciesOfGroup(state: MosipState, groupName: string): SandboxResponse {
  const group = policyGroupByName(state, groupName);
  if (!group) return failure('PMS_POL_019', 'Policy group name does not exist');
  if (!group.isActive) return failure('PMS_POL_053', 'Policy group is not active.');
  const policies = [...state.policies.values()].filter((p) => p.policyGroupId === group.id && p.isActive);
  // Lombok @Data on a field named `Id` yields getId(): Jackson writes `id`.
  return success(
    policies.map((p) => ({
      policyGroupId: group.id,
      policyGroupName: group.name,
      id: p.id,
      name: p.name,
      descr: p.desc,
      policyType: p.policyType,
    })),
  );
}

/** `mapPolicyAndPolicyGroup`: status is derived from is_Active, dates are LocalDateTime without a zone. */
function policyDetail(state: MosipState, policy: PolicyRecord): Record<string, unknown> {
  const group = state.policyGroups.get(policy.policyGroupId)!;
  return {
    policyGroupId: group.id,
    policyGroupName: group.name,
    policyGroupDesc: group.desc,
    policyGroupStatus: group.isActive,
    policyId: policy.id,
    policyName: policy.name,
    policyDesc: policy.desc,
    policyType: policy.policyType,
    publishDate: policy.isActive ? localDateTime(new Date(policy.validTill.getTime() - 365 * 24 * 3600 * 1000)) : null,
    validTill: localDateTime(policy.validTill),
    status: policy.isActive ? 'PUBLISHED' : 'DRAFTED',
    version: policy.version,
    schema: null,
    is_Active: policy.isActive,
    cr_by: 'partneradmin',
    policies: policy.policies,
  };
}

export function policyManagerRoutes(realm: Realm, state: MosipState): Route[] {
  const guarded =
    (roles: readonly string[], answer: (params: Record<string, string>) => SandboxResponse): Route['handler'] =>
    async (req) => {
      const caller = await authenticate(realm, req);
      if (!caller) return unauthenticated(req);
      if (!hasAnyRole(caller, roles)) return forbidden();
      return answer(req.params);
    };
  return [
    {
      method: 'GET',
      path: '/v1/policymanager/policies/active/group/:groupName',
      handler: guarded(POLICY_ROLES.getactivegroupgroupname, (p) => activePoliciesOfGroup(state, p.groupName!)),
    },
    {
      method: 'GET',
      path: '/v1/policymanager/policies/:policyId',
      handler: guarded(POLICY_ROLES.getpoliciespolicyid, (p) => {
        const policy = state.policies.get(p.policyId!);
        return policy ? success(policyDetail(state, policy)) : failure('PMS_POL_008', 'Policy ID does not exist');
      }),
    },
  ];
}
