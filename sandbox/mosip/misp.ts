// MISP license keys (MISPLicenseController / InfraProviderServiceImpl, release-1.2.0.1).
import { randomInt } from 'node:crypto';
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { ROLES, pmsRoute, requireSelfOrAdmin, type Caller } from './auth.js';
import { JavaRuntimeException, fail, localDateTimeNanos, str } from './envelope.js';
import { countCreation, type MispLicenseRecord, type MosipState } from './state.js';

/** `mosip.kernel.idgenerator.misp.license-key-length`, `mosip.pmp.misp.license.expiry.period.indays`. */
const LICENSE_KEY_LENGTH = 50;
const LICENSE_VALIDITY_DAYS = 90;
const KEY_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function newLicense(state: MosipState, mispId: string, policyId: string | null): MispLicenseRecord {
  const now = new Date();
  const license: MispLicenseRecord = {
    mispId,
    licenseKey: Array.from({ length: LICENSE_KEY_LENGTH }, () => KEY_ALPHABET[randomInt(KEY_ALPHABET.length)]).join(''),
    policyId,
    isActive: true,
    validFrom: now,
    validTo: new Date(now.getTime() + LICENSE_VALIDITY_DAYS * 24 * 3600 * 1000),
  };
  state.mispLicenses.push(license);
  countCreation(state.created.mispLicenses, mispId);
  return license;
}

/** `licenseKeyExpiry` is a LocalDateTime without @JsonFormat: ISO local date-time, no `Z`; observed with nanoseconds. */
const licenseResponse = (license: MispLicenseRecord) => ({
  providerId: license.mispId,
  licenseKey: license.licenseKey,
  licenseKeyStatus: 'Active',
  licenseKeyExpiry: localDateTimeNanos(license.validTo),
});

function activeMispPartner(state: MosipState, mispId: string) {
  const partner = state.partners.get(mispId);
  if (!partner) fail('PMS_MSP_005', 'MISP Partner does not exist');
  return partner;
}

function createLicense(state: MosipState, caller: Caller, mispId: string) {
  requireSelfOrAdmin(caller, mispId);
  if (state.mispLicenses.some((l) => l.mispId === mispId))
    fail('PMS_MSP_416', 'License key exists for the given provider.');
  const partner = activeMispPartner(state, mispId);
  if (partner.partnerTypeCode.toLowerCase() !== 'misp_partner') fail('PMS_MSP_009', 'Given provider is not valid');
  if (!partner.isActive) fail('PMS_MSP_405', 'MISP partner is not active.');
  const requests = [...state.mappings.values()].filter((m) => m.partnerId === mispId);
  let policyId: string | null = null;
  if (requests.length > 0) {
    if (!requests.every((m) => m.statusCode === 'approved')) fail('PMS_MSP_418', 'Policy not approved.');
    if (!state.policies.has(requests[0]!.policyId)) fail('PMS_MSP_419', 'Policy not exists.');
    policyId = requests[0]!.policyId;
  }
  return licenseResponse(newLicense(state, mispId, policyId));
}

/** GET /misps/{mispId}/licenseKey returns a valid key, or issues a new one when all have expired or been deactivated. */
function currentLicense(state: MosipState, mispId: string) {
  const partner = activeMispPartner(state, mispId);
  if (!partner.isActive) fail('PMS_MSP_405', 'MISP partner is not active.');
  const now = new Date();
  const valid = state.mispLicenses.filter((l) => l.mispId === mispId && l.isActive && l.validTo > now);
  if (!state.mispLicenses.some((l) => l.mispId === mispId))
    fail('PMS_MSP_408', 'MISP Partner and License key combintaion not exists.');
  // regenerateKey dereferences a fresh PartnerPolicyRequest's null policy id when the MISP has mapping requests.
  if ([...state.mappings.values()].some((m) => m.partnerId === mispId)) throw new JavaRuntimeException(null);
  return licenseResponse(valid[0] ?? newLicense(state, mispId, null));
}

/**
 * PUT /misps (MISPLicenseController.updateLicenseDetails, release-1.2.0.1, per mosip-pms.md §6):
 * a license key's status by provider and key; active|de-active (any case) else PMS_MSP_407, an
 * unknown provider+key PMS_MSP_408. The response has the license shape of POST (inferred).
 */
function updateLicenseStatus(state: MosipState, caller: Caller, request: Record<string, unknown> | null) {
  const mispId = str(request, 'providerId');
  requireSelfOrAdmin(caller, mispId);
  const status = str(request, 'licenseKeyStatus').toLowerCase();
  if (status !== 'active' && status !== 'de-active')
    fail('PMS_MSP_407', 'Invalid status received. Status should be either Active or De-active');
  const license = state.mispLicenses.find((l) => l.mispId === mispId && l.licenseKey === str(request, 'licenseKey'));
  if (!license) fail('PMS_MSP_408', 'MISP Partner and License key combintaion not exists.');
  license.isActive = status === 'active';
  return { ...licenseResponse(license), licenseKeyStatus: license.isActive ? 'Active' : 'De-Active' };
}

export function mispRoutes(realm: Realm, state: MosipState): Route[] {
  return [
    pmsRoute(realm, {
      method: 'POST',
      path: '/v1/partnermanager/misps',
      roles: ROLES.createMispLicense,
      body: [{ field: 'providerId', notBlank: true }],
      handle: ({ caller, request }) => createLicense(state, caller, str(request, 'providerId')),
    }),
    pmsRoute(realm, {
      method: 'PUT',
      path: '/v1/partnermanager/misps',
      roles: ROLES.createMispLicense,
      body: [
        { field: 'providerId', notBlank: true },
        { field: 'licenseKey', notBlank: true },
        { field: 'licenseKeyStatus', notBlank: true },
      ],
      handle: ({ caller, request }) => updateLicenseStatus(state, caller, request),
    }),
    pmsRoute(realm, {
      method: 'GET',
      path: '/v1/partnermanager/misps/:mispId/licenseKey',
      roles: ROLES.getMispLicenseKey,
      handle: ({ params }) => currentLicense(state, params.mispId!),
    }),
  ];
}
