// The rules of shared/reference/mosip-pms.md and openg2p-odoo.md (no OpenAPI document of
// PMS 1.2.0 or of Odoo's JSON-RPC exists), as zod schemas per route: what a request must carry
// and what the real service answers. Section numbers point into those documents.
import { z } from 'zod';

/** `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (mosip-pms.md §1, esignet.md §0). */
const mosipTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
/** A `LocalDateTime.now()` as the running services write it ("Observed on running servers"): nanoseconds, no `Z`. */
export const localTimeNanos = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}$/);
const text = z.string().min(1);
const pem = z.string().includes('-----BEGIN CERTIFICATE-----');

/** §1 RequestWrapper: the payload sits in `request`; `requesttime` must bind to the Jackson pattern. */
const wrapper = <T extends z.ZodType>(request: T) =>
  z.object({
    id: z.string(),
    version: z.string(),
    requesttime: mosipTime,
    metadata: z.record(z.string(), z.unknown()).nullable(),
    request,
  });

const errorItem = z.strictObject({ errorCode: z.string().nullable(), message: z.string().nullable() });
/**
 * §1: PMS success keeps `errors: []`; business errors are HTTP 200 with `response: null` and id
 * `mosip.partnermanagement`; bean validation (`PMS_COR_001`) has null id/version and, as observed
 * on running servers, a nanosecond `responsetime` without `Z`.
 */
const pmsAnswer = <T extends z.ZodType>(response: T) =>
  z.union([
    z.strictObject({
      id: z.string().nullable(),
      version: z.string().nullable(),
      responsetime: mosipTime,
      metadata: z.null(),
      response,
      errors: z.tuple([]),
    }),
    z.strictObject({
      id: z.literal('mosip.partnermanagement').nullable(),
      version: z.literal('1.0').nullable(),
      responsetime: mosipTime,
      metadata: z.null(),
      response: z.null(),
      errors: z
        .array(
          errorItem.extend({
            errorCode: z
              .string()
              .refine((c) => c !== 'PMS_COR_001')
              .nullable(),
          }),
        )
        .length(1),
    }),
    z.strictObject({
      id: z.null(),
      version: z.null(),
      responsetime: localTimeNanos,
      metadata: z.null(),
      response: z.null(),
      errors: z.tuple([
        errorItem.extend({
          errorCode: z.literal('PMS_COR_001'),
          message: z.string().startsWith('Invalid request parameter - '),
        }),
      ]),
    }),
  ]);
/** §2.2, §9: `@ResponseFilter` services answer `errors: null` on success. */
const kernelAnswer = <T extends z.ZodType>(response: T) =>
  z.union([
    z.strictObject({
      id: z.string().nullable(),
      version: z.string().nullable(),
      responsetime: mosipTime,
      metadata: z.null(),
      response,
      errors: z.null(),
    }),
    z.strictObject({
      id: z.string().nullable(),
      version: z.string().nullable(),
      responsetime: mosipTime,
      metadata: z.null(),
      response: z.null(),
      errors: z.array(errorItem).min(1),
    }),
  ]);
/** The policy manager's own ResponseWrapper has no `metadata` (PMS release-1.2.0.1 policy/dto/ResponseWrapper.java). */
const policyAnswer = <T extends z.ZodType>(response: T) =>
  z.union([
    z.strictObject({ id: z.null(), version: z.null(), responsetime: mosipTime, response, errors: z.tuple([]) }),
    z.strictObject({
      id: z.null(),
      version: z.null(),
      responsetime: mosipTime,
      response: z.null(),
      errors: z.array(errorItem).length(1),
    }),
  ]);

const rsaJwk = z.looseObject({ kty: z.literal('RSA'), n: text, e: text });
const url = z.string().url();
const clientStatus = z.strictObject({ clientId: text, status: z.enum(['ACTIVE', 'INACTIVE']) });

export interface RouteRule {
  /** The sandbox's route pattern, e.g. `/v1/partnermanager/oidc/client/:client_id`. */
  route: string;
  method: string;
  /** Where the request must carry its token (§2.3): the `Authorization` cookie, never a bare header. */
  auth?: 'cookie';
  contentType?: 'application/json' | 'application/x-www-form-urlencoded';
  request?: z.ZodType;
  response: z.ZodType;
}

const partnerId = z.string().min(1).max(36).regex(/^\S+$/);

export const MOSIP_RULES: RouteRule[] = [
  // §2.1–2.2 authmanager
  {
    route: '/v1/authmanager/authenticate/internal/useridPwd',
    method: 'POST',
    contentType: 'application/json',
    request: wrapper(
      z.strictObject({ userName: text, password: text, appId: text, clientId: text, clientSecret: text }),
    ),
    // Observed on a running 1.2.0.1 authmanager: `status: "success"`, lower case.
    response: kernelAnswer(z.looseObject({ token: text, status: z.literal('success') })),
  },
  {
    route: '/v1/authmanager/authenticate/clientidsecretkey',
    method: 'POST',
    contentType: 'application/json',
    request: wrapper(z.strictObject({ clientId: text, secretKey: text, appId: text })),
    response: kernelAnswer(z.strictObject({ status: z.literal('Success'), message: z.string() })),
  },
  {
    route: '/auth/realms/mosip/protocol/openid-connect/token',
    method: 'POST',
    contentType: 'application/x-www-form-urlencoded',
    request: z.looseObject({
      grant_type: z.enum(['client_credentials', 'password']),
      client_id: text,
      client_secret: text,
    }),
    response: z.looseObject({ access_token: text, token_type: z.string(), expires_in: z.number() }),
  },
  // §3, §4 partners and certificates
  {
    route: '/v1/partnermanager/partners/:partnerId',
    method: 'GET',
    auth: 'cookie',
    response: pmsAnswer(z.looseObject({ partnerID: text, partnerType: text })),
  },
  {
    route: '/v1/partnermanager/partners',
    method: 'POST',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(
      z.strictObject({
        partnerId,
        organizationName: z.string().min(1).max(128),
        address: z.string().min(1).max(2000),
        contactNumber: z.string().min(1).max(16),
        emailId: z
          .string()
          .max(254)
          .regex(/^[\w+-]+(\.\w+)*@[\w-]+(\.\w+)*(\.[a-z]{2,})$/),
        partnerType: z.enum(['Auth_Partner', 'MISP_Partner']),
        policyGroup: z.string().optional(),
        langCode: z.string().optional(),
      }),
    ),
    response: pmsAnswer(z.strictObject({ partnerId: text, status: z.literal('InProgress') })),
  },
  {
    route: '/v1/partnermanager/partners/certificate/ca/upload',
    method: 'POST',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(z.strictObject({ certificateData: pem, partnerDomain: z.enum(['AUTH', 'DEVICE', 'FTM']) })),
    response: pmsAnswer(z.looseObject({ status: z.string() })),
  },
  {
    route: '/v1/partnermanager/partners/certificate/upload',
    method: 'POST',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(
      z.strictObject({ partnerId, certificateData: pem, partnerDomain: z.enum(['AUTH', 'DEVICE', 'FTM']) }),
    ),
    response: pmsAnswer(z.looseObject({ certificateId: text, signedCertificateData: pem })),
  },
  {
    route: '/v1/partnermanager/partners/:partnerId/certificate',
    method: 'GET',
    auth: 'cookie',
    response: pmsAnswer(z.looseObject({ certificateData: pem })),
  },
  // §5 mapping and API key
  {
    route: '/v1/partnermanager/partners/apikey/request/search',
    method: 'POST',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(
      z.looseObject({
        filters: z.array(z.looseObject({ columnName: text, type: text })),
        pagination: z.looseObject({ pageStart: z.number(), pageFetch: z.number() }),
      }),
    ),
    response: pmsAnswer(
      z.looseObject({ data: z.array(z.looseObject({ apikeyRequestId: text, statusCode: text })).nullish() }),
    ),
  },
  {
    route: '/v1/partnermanager/partners/:partnerId/policy/map',
    method: 'POST',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(z.strictObject({ policyName: text, useCaseDescription: z.string() })),
    response: pmsAnswer(z.strictObject({ mappingkey: text, message: z.string() })),
  },
  {
    route: '/v1/partnermanager/partners/policy/:mappingkey',
    method: 'PUT',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(z.strictObject({ status: z.enum(['Approved', 'Rejected']) })),
    response: pmsAnswer(z.string()),
  },
  {
    route: '/v1/partnermanager/partners/:partnerId/generate/apikey',
    method: 'PATCH',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(z.strictObject({ policyName: text, label: text })),
    // Observed: the key is a 6-digit number string.
    response: pmsAnswer(
      z.strictObject({ apiKey: z.string().regex(/^\d{6}$/), label: text, policyId: text, partnerId: text }),
    ),
  },
  // §6 MISP
  {
    route: '/v1/partnermanager/misps',
    method: 'POST',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(z.strictObject({ providerId: text })),
    // Observed: the expiry carries nanoseconds and no `Z`.
    response: pmsAnswer(
      z.strictObject({
        providerId: text,
        licenseKey: z.string().regex(/^[0-9a-zA-Z]{50}$/),
        licenseKeyStatus: z.literal('Active'),
        licenseKeyExpiry: localTimeNanos,
      }),
    ),
  },
  {
    route: '/v1/partnermanager/misps/:mispId/licenseKey',
    method: 'GET',
    auth: 'cookie',
    response: pmsAnswer(z.looseObject({ licenseKey: text, licenseKeyExpiry: localTimeNanos })),
  },
  // Reads of the consistency checks (release-1.2.0.1 source; not yet in the reference):
  // PartnerManagementController.getPolicyMappedToAPIKey and MISPLicenseController's GET /misps.
  {
    route: '/v1/partnermanager/partners/:partnerId/apikey/:apikey',
    method: 'GET',
    auth: 'cookie',
    response: pmsAnswer(z.looseObject({ partnerID: text, policyId: text })),
  },
  {
    route: '/v1/partnermanager/misps',
    method: 'GET',
    auth: 'cookie',
    response: pmsAnswer(z.array(z.looseObject({ mispId: text, licenseKey: text, isActive: z.boolean() }))),
  },
  // §6 PUT /misps: a license key's status (day two: credential rotation, offboarding).
  {
    route: '/v1/partnermanager/misps',
    method: 'PUT',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(
      z.strictObject({
        providerId: text,
        licenseKey: z.string().regex(/^[0-9a-zA-Z]{50}$/),
        licenseKeyStatus: z.string().regex(/^(active|de-active)$/i),
      }),
    ),
    response: pmsAnswer(z.looseObject({ providerId: text, licenseKey: text, licenseKeyStatus: text })),
  },
  // §5.3 (related) an API key's status by label.
  {
    route: '/v1/partnermanager/partners/:partnerId/policy/:policyId/apiKey/status',
    method: 'PATCH',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(z.strictObject({ status: z.enum(['Active', 'De-Active']), label: text })),
    response: pmsAnswer(
      z.enum(['Partner apikey activated successfully.', 'Partner apikey de-activated successfully.']),
    ),
  },
  // §7 partner activate / deactivate.
  {
    route: '/v1/partnermanager/partners/:partnerId',
    method: 'PATCH',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(z.strictObject({ status: z.string().regex(/^(active|de-active)$/i) })),
    response: pmsAnswer(
      z.strictObject({ message: z.enum(['Partner activated successfully', 'Partner de-activated successfully']) }),
    ),
  },
  // §8 OIDC clients. The real DTO field is `authPartnerId` (ClientDetailCreateRequest, release-1.2.0.1); the
  // guide's `authParnterId` is a typo PMS would reject as a missing `authPartnerId` (strict object here).
  {
    route: '/v1/partnermanager/oidc/client',
    method: 'POST',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(
      z.strictObject({
        name: z.string().min(1).max(256),
        policyId: z.string().min(1).max(36),
        publicKey: rsaJwk,
        authPartnerId: z.string().min(1).max(100),
        logoUri: url.max(2048),
        redirectUris: z.array(url).min(1).max(5),
        grantTypes: z.array(z.literal('authorization_code')).min(1).max(3),
        clientAuthMethods: z.array(z.literal('private_key_jwt')).min(1).max(3),
      }),
    ),
    response: pmsAnswer(clientStatus),
  },
  {
    route: '/v1/partnermanager/oidc/client/:client_id',
    method: 'PUT',
    auth: 'cookie',
    contentType: 'application/json',
    request: wrapper(
      z.strictObject({
        logoUri: url.max(2048),
        redirectUris: z.array(url).min(1).max(5),
        status: z.enum(['ACTIVE', 'INACTIVE']),
        grantTypes: z.array(z.literal('authorization_code')).min(1).max(3),
        clientName: text,
        clientAuthMethods: z.array(z.literal('private_key_jwt')).min(1).max(3),
      }),
    ),
    response: pmsAnswer(clientStatus),
  },
  {
    route: '/v1/partnermanager/oidc/client/:client_id',
    method: 'GET',
    auth: 'cookie',
    // §8.3: `publicKey` is the stored JWK as a JSON *string*.
    response: pmsAnswer(
      z.looseObject({
        id: text,
        publicKey: z.string().startsWith('{'),
        claims: z.array(z.string()),
        acrValues: z.array(z.string()),
        status: text,
      }),
    ),
  },
  // §10a and the release-1.2.0.1 PolicyManagementController read APIs
  {
    route: '/v1/policymanager/policies/active/group/:groupName',
    method: 'GET',
    auth: 'cookie',
    response: policyAnswer(
      z.array(
        z.strictObject({
          policyGroupId: text,
          policyGroupName: text,
          id: text,
          name: text,
          descr: z.string().nullable(),
          policyType: text,
        }),
      ),
    ),
  },
  {
    route: '/v1/policymanager/policies/:policyId',
    method: 'GET',
    auth: 'cookie',
    response: policyAnswer(
      z.looseObject({
        policyId: text,
        policyName: text,
        policyType: text,
        is_Active: z.boolean(),
        status: z.enum(['PUBLISHED', 'DRAFTED']),
        validTill: z.string(),
      }),
    ),
  },
  // §9 keymanager
  {
    route: '/v1/keymanager/getCertificate',
    method: 'GET',
    auth: 'cookie',
    response: kernelAnswer(
      z.strictObject({
        certificate: pem,
        certSignRequest: z.null(),
        issuedAt: mosipTime,
        expiryAt: mosipTime,
        timestamp: mosipTime,
      }),
    ),
  },
  // §9 correction: IDA's own certificates come from IDA's internal API, same shape, cookie token.
  {
    route: '/idauthentication/v1/internal/getCertificate',
    method: 'GET',
    auth: 'cookie',
    response: kernelAnswer(
      z.strictObject({
        certificate: pem,
        certSignRequest: z.null(),
        issuedAt: mosipTime,
        expiryAt: mosipTime,
        timestamp: mosipTime,
      }),
    ),
  },
];

const rpcError = z.strictObject({
  code: z.number(),
  message: z.string(),
  data: z.strictObject({
    name: text,
    debug: z.string(),
    message: z.string(),
    arguments: z.array(z.unknown()),
    context: z.record(z.string(), z.unknown()),
  }),
});

/** openg2p-odoo.md §2.1–§2.4: JSON-RPC 2.0 on /jsonrpc, errors as HTTP 200 bodies; the login page and the OAuth callback. */
export const ODOO_RULES: RouteRule[] = [
  {
    route: '/jsonrpc',
    method: 'POST',
    contentType: 'application/json',
    request: z.union([
      z.strictObject({
        jsonrpc: z.literal('2.0'),
        method: z.literal('call'),
        id: z.number(),
        params: z.strictObject({
          service: z.literal('common'),
          method: z.enum(['version', 'login', 'authenticate']),
          args: z.array(z.unknown()),
        }),
      }),
      z.strictObject({
        jsonrpc: z.literal('2.0'),
        method: z.literal('call'),
        id: z.number(),
        params: z.strictObject({
          service: z.literal('object'),
          method: z.literal('execute_kw'),
          // [db, uid, password, model, method, args, kwargs]; private methods (`_…`) cannot be called.
          args: z
            .tuple([text, z.number().int(), text, text, text.regex(/^[^_]/), z.array(z.unknown())])
            .rest(z.record(z.string(), z.unknown())),
        }),
      }),
    ]),
    response: z.union([
      z.strictObject({ jsonrpc: z.literal('2.0'), id: z.number(), result: z.unknown() }),
      z.strictObject({ jsonrpc: z.literal('2.0'), id: z.number(), error: rpcError }),
    ]),
  },
  { route: '/web/login', method: 'GET', response: z.string().includes('o_auth_oauth_providers') },
  { route: '/auth_oauth/signin', method: 'GET', response: z.undefined() },
];
