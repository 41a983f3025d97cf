// PMS partner lifecycle: self-registration, partner details, activate/deactivate
// (PartnerServiceImpl / PartnerManagementServiceImpl, release-1.2.0.1), checks in code order.
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { ROLES, pmsRoute, requireSelfOrAdmin, type Caller } from './auth.js';
import { fail, optionalStr, str, type FieldRule } from './envelope.js';
import { policyGroupByName } from './seed.js';
import { countCreation, type MosipState, type PartnerRecord } from './state.js';

/** mosip-config v1.2.0.1: `pmp.partner.partnerId.max.length`, `pmp.partner.mobileNumber.max.length`, languages. */
const PARTNER_ID_MAX_LENGTH = 36;
const MOBILE_MAX_LENGTH = 16;
const SUPPORTED_LANGUAGES = ['eng', 'ara', 'fra'];
/** `pmp.partner.valid.email.address.regex` (Java `[\w-\+]` is `[\w+-]` here). */
const EMAIL = /^[\w+-]+(\.\w+)*@[\w-]+(\.\w+)*(\.[a-z]{2,})$/;

const EMPTY = 'value is empty or null';
const REGISTRATION_RULES: FieldRule[] = [
  { field: 'partnerId', notBlank: EMPTY },
  {
    field: 'organizationName',
    notBlank: EMPTY,
    size: { min: 1, max: 128, message: 'Length should be between 1 and 128 chars' },
  },
  {
    field: 'address',
    notBlank: EMPTY,
    size: { min: 1, max: 2000, message: 'Length should be between 1 and 2000 chars' },
  },
  {
    field: 'contactNumber',
    notBlank: EMPTY,
    size: { min: 1, max: 16, message: 'Length should be between 1 and 16 chars' },
  },
  {
    field: 'emailId',
    notBlank: EMPTY,
    size: { min: 1, max: 254, message: 'Length should be between 1 and 254 chars' },
  },
  { field: 'partnerType', notBlank: EMPTY },
];

/** `getValidPartner(id, true)`: PMS_PRT_005 when unknown. */
export function existingPartner(state: MosipState, partnerId: string): PartnerRecord {
  const partner = state.partners.get(partnerId);
  if (!partner) fail('PMS_PRT_005', 'Partner does not exist');
  return partner;
}

function register(
  state: MosipState,
  caller: Caller,
  request: Record<string, unknown> | null,
): { partnerId: string; status: string } {
  const partnerId = str(request, 'partnerId');
  const emailId = str(request, 'emailId');
  const contactNumber = str(request, 'contactNumber');
  const partners = [...state.partners.values()];
  // A user who already registered a partner cannot register another.
  if (caller.email && partners.some((p) => p.emailId === caller.email)) fail('PMS_PRT_055', 'User not authorized.');
  if (contactNumber.length > MOBILE_MAX_LENGTH)
    fail('PMS_PRT_013', `Invalid mobile number.Length should be less than .${MOBILE_MAX_LENGTH}`);
  if (!EMAIL.test(emailId)) fail('PMS_PRT_012', 'Invalid emailId.');
  // The real message appends the max length to the spaces message too.
  if (/\s/.test(partnerId)) fail('PMS_PRT_066', `PartnerId should not have any spaces${PARTNER_ID_MAX_LENGTH}`);
  if (partnerId.length > PARTNER_ID_MAX_LENGTH)
    fail('PMS_PRT_052', `PartnerId max length should be ${PARTNER_ID_MAX_LENGTH}`);
  if (partners.some((p) => p.emailId === emailId)) fail('PMS_PRT_011', 'Email is already exists.');
  const langCode = optionalStr(request, 'langCode');
  if (langCode !== undefined && !SUPPORTED_LANGUAGES.includes(langCode))
    fail('PMS_PRT_056', 'Given langCode is not supported');
  if (state.partners.has(partnerId)) fail('PMS_PRT_051', 'A Partner is already registered with the same Id');
  const requestedType = str(request, 'partnerType');
  const type = state.partnerTypes.find((t) => t.code.toLowerCase() === requestedType.toLowerCase());
  if (!type) fail('PMS_PRT_010', 'Partner Type does not exist');
  const groupName = optionalStr(request, 'policyGroup');
  if (type.isPolicyRequired && !groupName) fail('PMS_PRT_108', `Policy group is Mandatory for ${type.code}`);
  let policyGroupId: string | null = null;
  if (groupName) {
    const group = policyGroupByName(state, groupName);
    if (!group) fail('PMS_PRT_002', 'Policy group does not exist');
    if (!group.isActive) fail('PMS_PMP_023', 'Policy group is not active.');
    policyGroupId = group.id;
  }
  state.partners.set(partnerId, {
    partnerId,
    organizationName: str(request, 'organizationName'),
    address: str(request, 'address'),
    contactNumber,
    emailId,
    partnerTypeCode: type.code,
    policyGroupId,
    // PMS stores the first supported language whatever was sent.
    langCode: SUPPORTED_LANGUAGES[0]!,
    isActive: false,
    approvalStatus: 'InProgress',
    createdBy: caller.userId,
    createdAt: new Date(),
  });
  countCreation(state.created.partners, partnerId);
  return { partnerId, status: 'InProgress' };
}

/**
 * `RetrievePartnerDetailsResponse` (checked in release-1.2.0.1): note `partnerID` with a
 * capital ID, `status` "active"/"De-active" derived from isActive, and no approvalStatus.
 */
function details(state: MosipState, partner: PartnerRecord): Record<string, unknown> {
  return {
    partnerID: partner.partnerId,
    status: partner.isActive ? 'active' : 'De-active',
    organizationName: partner.organizationName,
    contactNumber: partner.contactNumber,
    emailId: partner.emailId,
    address: partner.address,
    partnerType: partner.partnerTypeCode,
    policyGroup: partner.policyGroupId ? (state.policyGroups.get(partner.policyGroupId)?.name ?? null) : null,
    isActive: partner.isActive,
  };
}

function changeStatus(state: MosipState, partnerId: string, status: string): { message: string } {
  const partner = state.partners.get(partnerId);
  if (!partner) fail('PMS_PMP_005', 'Partner ID does not exist');
  if (status.toLowerCase() === 'active') {
    if (!partner.certificateAlias)
      fail('PMS_PRT_108', 'Certficate is not uploaded for the given partner.Cannot activate the same.');
    partner.isActive = true;
    return { message: 'Partner activated successfully' };
  }
  if (status.toLowerCase() === 'de-active') {
    if (partner.isActive && partner.partnerTypeCode.toLowerCase() === 'misp_partner') {
      for (const license of state.mispLicenses) if (license.mispId === partnerId) license.isActive = false;
    }
    partner.isActive = false;
    return { message: 'Partner de-activated successfully' };
  }
  fail('PMS_PM_058', 'Status should be either Active or De-Active');
}

export function partnerRoutes(realm: Realm, state: MosipState): Route[] {
  return [
    pmsRoute(realm, {
      method: 'POST',
      path: '/v1/partnermanager/partners',
      body: REGISTRATION_RULES,
      ids: 'echo',
      handle: ({ caller, request }) => register(state, caller, request),
    }),
    pmsRoute(realm, {
      method: 'GET',
      path: '/v1/partnermanager/partners/:partnerId',
      roles: ROLES.getPartner,
      ids: { id: 'mosip.partnermanagement.partners.retrieve', version: '1.0' },
      handle: ({ caller, params }) => {
        requireSelfOrAdmin(caller, params.partnerId!);
        return details(state, existingPartner(state, params.partnerId!));
      },
    }),
    pmsRoute(realm, {
      method: 'PATCH',
      path: '/v1/partnermanager/partners/:partnerId',
      roles: ROLES.patchPartner,
      body: [{ field: 'status', notBlank: EMPTY }],
      ids: 'echo',
      handle: ({ params, request }) => changeStatus(state, params.partnerId!, str(request, 'status')),
    }),
  ];
}
