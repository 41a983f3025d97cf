// Read APIs the consistency checks use (release-1.2.0.1):
// - GET /partners/{partnerId}/apikey/{apikey} (PartnerManagementController.getPolicyMappedToAPIKey →
//   PartnerManagementServiceImpl.getPartnerAPIKeyToPolicyMapping): finds the key by partner and
//   value (`findByPartnerIdAndApikey`) and answers {partnerID, policyId}; PMS_PMP_009 when none.
//   It does not look at the key's active flag: PMS 1.2.0.x has no API that shows it.
// - GET /misps (MISPLicenseController → InfraProviderServiceImpl.getInfraProvider): every MISP
//   license row as the entity serialises (`mispId`, `licenseKey`, `validFromDate`, `validToDate`,
//   `isActive`, …; LocalDateTime without zone).
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { pmsRoute } from './auth.js';
import { fail } from './envelope.js';
import type { MosipState } from './state.js';

/** mosip-config v1.2.0.1 `mosip.role.pms.getpartnersapikey` / `getmisplicense` *(inferred: the admin roles)*. */
const API_KEY_READERS = ['PARTNERMANAGER', 'PARTNER_ADMIN'];
const MISP_LICENSE_READERS = ['MISP_PARTNER', 'MISP', 'PARTNERMANAGER', 'PARTNER_ADMIN'];

/** Java LocalDateTime through Jackson's ISO writer: no zone. */
const localDateTime = (d: Date) => d.toISOString().replace('Z', '');

export function readRoutes(realm: Realm, state: MosipState): Route[] {
  return [
    pmsRoute(realm, {
      method: 'GET',
      path: '/v1/partnermanager/partners/:partnerId/apikey/:apikey',
      roles: API_KEY_READERS,
      ids: { id: 'mosip.partnermanagement.partners.retrieve', version: '1.0' },
      handle: ({ params }) => {
        const key = state.apiKeys.find((k) => k.partnerId === params.partnerId && k.apiKey === params.apikey);
        if (!key) fail('PMS_PMP_009', 'For given partner and apikey mapping not exists.');
        return { partnerID: key.partnerId, policyId: key.policyId };
      },
    }),
    pmsRoute(realm, {
      method: 'GET',
      path: '/v1/partnermanager/misps',
      roles: MISP_LICENSE_READERS,
      handle: () =>
        state.mispLicenses.map((l) => ({
          mispId: l.mispId,
          licenseKey: l.licenseKey,
          validFromDate: localDateTime(l.validFrom),
          validToDate: localDateTime(l.validTo),
          isActive: l.isActive,
          policyId: l.policyId,
          isDeleted: false,
        })),
    }),
  ];
}
