// The kernel auth adapter in front of PMS and keymanager, and the PMS route shape built on
// it: token only from the `Authorization` cookie (401 KER-ATH-401), body binding and bean
// validation, then the endpoint's role list (403 KER-ATH-403), then the service's checks.
import type { Realm } from '../realm.js';
import type { Route, SandboxRequest, SandboxResponse } from '../router.js';
import {
  JavaRuntimeException,
  MosipFailure,
  fail,
  forbidden,
  isResponse,
  pmsError,
  pmsSuccess,
  pmsUnexpected,
  pmsValidationError,
  readWrapper,
  unauthenticated,
  validationFailure,
  type EnvelopeIds,
  type FieldRule,
} from './envelope.js';

export interface Caller {
  /** `preferred_username`: for partner users, the PMS partner id. */
  userId: string;
  roles: string[];
  email?: string;
}

const POLICY_PARTNER_ROLES = [
  'AUTH_PARTNER',
  'ABIS_PARTNER',
  'CREDENTIAL_PARTNER',
  'CREDENTIAL_ISSUANCE',
  'ONLINE_VERIFICATION_PARTNER',
];
const CERT_UPLOADERS = [
  'PARTNER',
  'PMS_USER',
  'AUTH_PARTNER',
  'ABIS_PARTNER',
  'SDK_PARTNER',
  'DEVICE_PROVIDER',
  'FTM_PROVIDER',
  'CREDENTIAL_PARTNER',
  'CREDENTIAL_ISSUANCE',
  'ID_AUTHENTICATION',
  'PARTNER_ADMIN',
  'ONLINE_VERIFICATION_PARTNER',
];

/** `mosip.role.pms.*` (mosip-config v1.2.0.1 partner-management-default.properties) and keymanager's getCertificate. */
export const ROLES = {
  getPartner: [
    'PARTNER',
    'AUTH_PARTNER',
    'CREDENTIAL_PARTNER',
    'RESIDENT',
    'PARTNER_ADMIN',
    'ONLINE_VERIFICATION_PARTNER',
    'DEVICE_PROVIDER',
    'FTM_PROVIDER',
    'ABIS_PARTNER',
    'SDK_PARTNER',
    'MANUAL_ADJUDICATION',
    'MISP_PARTNER',
  ],
  uploadCaCertificate: ['PARTNERMANAGER', 'PARTNER_ADMIN'],
  uploadPartnerCertificate: CERT_UPLOADERS,
  getPartnerCertificate: [...CERT_UPLOADERS, 'CREATE_SHARE'],
  patchPartner: ['PARTNERMANAGER', 'PARTNER_ADMIN'],
  requestPolicyMapping: [...POLICY_PARTNER_ROLES, 'PARTNER_ADMIN'],
  decidePolicyMapping: ['PARTNERMANAGER', 'PARTNER_ADMIN'],
  generateApiKey: POLICY_PARTNER_ROLES,
  getApiKeyRequests: [
    'PARTNER',
    'AUTH_PARTNER',
    'ABIS_PARTNER',
    'CREDENTIAL_PARTNER',
    'PARTNER_ADMIN',
    'ONLINE_VERIFICATION_PARTNER',
  ],
  searchApiKeyRequests: [
    'PARTNER',
    'PMS_USER',
    'AUTH_PARTNER',
    'ABIS_PARTNER',
    'CREDENTIAL_PARTNER',
    'PARTNER_ADMIN',
    'ONLINE_VERIFICATION_PARTNER',
  ],
  createMispLicense: ['MISP_PARTNER', 'MISP', 'PARTNERMANAGER', 'PARTNER_ADMIN'],
  getMispLicenseKey: ['PARTNERMANAGER', 'PARTNER_ADMIN'],
  /** kernel-default.properties `mosip.role.keymanager.getgetcertificate`: note, no partner roles. */
  getCertificate: [
    'ZONAL_ADMIN',
    'GLOBAL_ADMIN',
    'INDIVIDUAL',
    'ID_AUTHENTICATION',
    'TEST',
    'REGISTRATION_ADMIN',
    'REGISTRATION_SUPERVISOR',
    'REGISTRATION_OFFICER',
    'REGISTRATION_PROCESSOR',
    'PRE_REGISTRATION_ADMIN',
    'RESIDENT',
    'KEY_MAKER',
  ],
} as const satisfies Record<string, readonly string[]>;

/** Reads the token the way AuthFilter does: from a cookie whose name contains `Authorization`; headers are ignored. */
export async function authenticate(realm: Realm, req: SandboxRequest): Promise<Caller | undefined> {
  const cookieName = Object.keys(req.cookies).find((name) => name.includes('Authorization'));
  const claims = await realm.verify(cookieName ? req.cookies[cookieName] : undefined);
  if (!claims?.preferred_username) return undefined;
  const email = (claims as { email?: unknown }).email;
  return {
    userId: claims.preferred_username,
    roles: claims.realm_access?.roles ?? [],
    email: typeof email === 'string' ? email : undefined,
  };
}

export const hasAnyRole = (caller: Caller, roles: readonly string[]): boolean =>
  caller.roles.some((r) => roles.includes(r));

/** `SearchHelper.isLoggedInUserFilterRequired`: everybody but PARTNER_ADMIN sees only their own partner. */
export const loggedInUserFilterRequired = (caller: Caller): boolean =>
  !caller.roles.some((r) => r.toUpperCase() === 'PARTNER_ADMIN');

/** `validateLoggedInUserAuthorization`: PMS_PRT_055 unless the caller is that partner or a Partner Admin. */
export function requireSelfOrAdmin(caller: Caller, partnerId: string): void {
  if (loggedInUserFilterRequired(caller) && partnerId !== caller.userId) fail('PMS_PRT_055', 'User not authorized.');
}

export interface PmsCall {
  caller: Caller;
  params: Record<string, string>;
  query: URLSearchParams;
  request: Record<string, unknown> | null;
}

export interface PmsEndpoint {
  method: string;
  path: string;
  /** `@PreAuthorize` roles; absent = any authenticated user. */
  roles?: readonly string[];
  /** Bean-validation rules of the request DTO; absent = the endpoint takes no body. */
  body?: readonly FieldRule[];
  /** id/version of the success envelope: 'echo' the request's, fixed values, or null. */
  ids?: 'echo' | EnvelopeIds;
  handle(call: PmsCall): unknown;
}

export function pmsRoute(realm: Realm, endpoint: PmsEndpoint): Route {
  return {
    method: endpoint.method,
    path: endpoint.path,
    handler: async (req): Promise<SandboxResponse> => {
      const caller = await authenticate(realm, req);
      if (!caller) return unauthenticated(req);
      let request: Record<string, unknown> | null = null;
      let ids: EnvelopeIds | null = null;
      if (endpoint.body) {
        const wrapper = readWrapper(req);
        if (isResponse(wrapper)) return wrapper;
        const invalid = validationFailure(wrapper.request, endpoint.body);
        if (invalid) return pmsValidationError(invalid);
        request = wrapper.request;
        if (endpoint.ids === 'echo') ids = wrapper;
      }
      if (endpoint.roles && !hasAnyRole(caller, endpoint.roles)) return forbidden();
      if (endpoint.ids && endpoint.ids !== 'echo') ids = endpoint.ids;
      try {
        const response = await endpoint.handle({ caller, params: req.params, query: req.query, request });
        return pmsSuccess(ids, response);
      } catch (err) {
        if (err instanceof MosipFailure) return pmsError(err);
        if (err instanceof JavaRuntimeException) return pmsUnexpected(err.javaMessage);
        throw err;
      }
    },
  };
}
