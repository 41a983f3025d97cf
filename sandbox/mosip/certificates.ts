// PMS certificate endpoints (`PartnerServiceController`, release-1.2.0.1): PMS checks the
// partner, then forwards to keymanager's partner certificate service.
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { ROLES, pmsRoute, requireSelfOrAdmin } from './auth.js';
import { fail, str } from './envelope.js';
import { partnerCertificate, uploadCaCertificate, uploadPartnerCertificate } from './partner-cert-service.js';
import type { MosipPki } from './pki.js';
import { keyStoreKey, type MosipState } from './state.js';
import { existingPartner } from './partners.js';
import { x509 } from '../../src/security/x509.js';

export function certificateRoutes(realm: Realm, state: MosipState, pki: Promise<MosipPki>): Route[] {
  return [
    pmsRoute(realm, {
      method: 'POST',
      path: '/v1/partnermanager/partners/certificate/ca/upload',
      roles: ROLES.uploadCaCertificate,
      body: [
        { field: 'certificateData', notBlank: true },
        { field: 'partnerDomain', notBlank: true },
      ],
      handle: ({ request }) =>
        uploadCaCertificate(state, str(request, 'certificateData'), str(request, 'partnerDomain')),
    }),
    pmsRoute(realm, {
      method: 'POST',
      path: '/v1/partnermanager/partners/certificate/upload',
      roles: ROLES.uploadPartnerCertificate,
      body: [
        { field: 'partnerId', notBlank: true },
        { field: 'certificateData', notBlank: true },
        { field: 'partnerDomain', notBlank: true },
      ],
      handle: async ({ caller, request }) => {
        const partnerId = str(request, 'partnerId');
        requireSelfOrAdmin(caller, partnerId);
        const partner = existingPartner(state, partnerId);
        const type = state.partnerTypes.find((t) => t.code.toLowerCase() === partner.partnerTypeCode.toLowerCase());
        if (type?.isPolicyRequired && !partner.policyGroupId)
          fail('PMS_PRT_054', 'Policy group not mapped for given partner');
        const uploaded = await uploadPartnerCertificate(state, await pki, {
          partnerId,
          organizationName: partner.organizationName,
          certificateData: str(request, 'certificateData'),
          partnerDomain: str(request, 'partnerDomain'),
        });
        // PMS stores the MOSIP-signed leaf in keymanager as PARTNER/<partnerId> and activates the partner.
        const signed = new x509.X509Certificate(uploaded.signedCertificateData);
        state.keyStore.set(keyStoreKey('PARTNER', partnerId), {
          certificatePem: uploaded.signedCertificateData,
          notBefore: signed.notBefore,
          notAfter: signed.notAfter,
        });
        partner.certificateAlias = uploaded.certificateId;
        partner.isActive = true;
        partner.approvalStatus = 'approved';
        return uploaded;
      },
    }),
    pmsRoute(realm, {
      method: 'GET',
      path: '/v1/partnermanager/partners/:partnerId/certificate',
      roles: ROLES.getPartnerCertificate,
      handle: ({ params }) => {
        const partner = existingPartner(state, params.partnerId!);
        if (!partner.certificateAlias) fail('PMS_PRT_108', 'Certficate is not uploaded for the selected partner.');
        return {
          certificateData: partnerCertificate(state, partner.certificateAlias),
          timestamp: new Date().toISOString(),
        };
      },
    }),
  ];
}
