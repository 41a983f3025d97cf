// PATCH /partners/{partnerId}/policy/{policyId}/apiKey/status (PartnerManagementController
// .activateDeactivatePartnerAPIKey → PartnerManagementServiceImpl.updateAPIKeyStatus,
// release-1.2.0.1): (de)activates the partner's API key with a label. PMS checks neither the
// caller against the partner nor the policy beyond the lookup; an unknown label is PMS_PRT_111.
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { pmsRoute } from './auth.js';
import { fail, str } from './envelope.js';
import type { MosipState } from './state.js';

/** mosip-config v1.2.0.1 `mosip.role.pms.patchpartnerspolicyapikeystatus`. */
const API_KEY_STATUS_ROLES = [
  'PARTNERMANAGER',
  'PARTNER_ADMIN',
  'AUTH_PARTNER',
  'CREDENTIAL_PARTNER',
  'CREDENTIAL_ISSUANCE',
  'ONLINE_VERIFICATION_PARTNER',
];

function updateApiKeyStatus(
  state: MosipState,
  partnerId: string,
  policyId: string,
  request: Record<string, unknown> | null,
): string {
  const label = str(request, 'label');
  const key = state.apiKeys.find((k) => k.partnerId === partnerId && k.policyId === policyId && k.label === label);
  if (!key) fail('PMS_PRT_111', 'API key not exists for the given combination');
  const status = str(request, 'status').toLowerCase();
  if (status === 'active') {
    key.isActive = true;
    return 'Partner apikey activated successfully.';
  }
  if (status === 'de-active') {
    key.isActive = false;
    return 'Partner apikey de-activated successfully.';
  }
  fail('PMS_PM_058', 'Status should be either Active or De-Active');
}

export function apiKeyStatusRoutes(realm: Realm, state: MosipState): Route[] {
  return [
    pmsRoute(realm, {
      method: 'PATCH',
      path: '/v1/partnermanager/partners/:partnerId/policy/:policyId/apiKey/status',
      roles: API_KEY_STATUS_ROLES,
      body: [
        { field: 'label', notBlank: true },
        { field: 'status', notBlank: 'value is empty or null' },
      ],
      ids: 'echo',
      handle: ({ params, request }) => updateApiKeyStatus(state, params.partnerId!, params.policyId!, request),
    }),
  ];
}
