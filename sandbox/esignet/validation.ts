// Bean-validation rules of the client-management DTOs (ClientDetailCreateRequest[V2|V3],
// ClientDetailUpdateRequest[V2|V3]): one error per violated field, code = the constraint message.
import { z } from 'zod';
import { UnreadableField, fieldError, type EsignetError } from './envelope.js';
import { CLAIMS_SUPPORTED, CLIENT_AUTH_METHODS, GRANT_TYPES, acrFactors } from './discovery.js';
import type { EsignetVersion } from '../context.js';
import { isValidJavaUrl, isValidRedirectUrl } from './urls.js';

/** Which controller: V1 `/oidc-client`, V2 `/oauth-client` (adds clientNameLangMap), V3 `/client` (adds additionalConfig). */
export type ClientApi = 'oidc-client' | 'oauth-client' | 'client';

const path = (field: string) => `request.${field}`;
const notBlank = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';
/** `@IdFormat`: not blank and matching `mosip.esignet.supported-id-regex` (default `\S*`). */
const isIdFormat = (s: string | undefined) => notBlank(s) && !/\s/.test(s);

/** Jackson binds JSON numbers and booleans to String fields; objects and arrays it refuses. */
function scalar(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnreadableField(field, 'a string');
}

function checkString(
  r: Record<string, unknown>,
  field: string,
  code: string,
  ok: (s: string | undefined) => boolean,
  errors: EsignetError[],
): void {
  if (!ok(scalar(r[field], field))) errors.push(fieldError(path(field), code));
}

interface ListRule {
  code: string;
  min: number;
  max: number;
  element: (item: string | null) => boolean;
}

function checkList(r: Record<string, unknown>, field: string, rule: ListRule, errors: EsignetError[]): void {
  const value = r[field];
  if (value === undefined || value === null) {
    errors.push(fieldError(path(field), rule.code));
    return;
  }
  if (!Array.isArray(value)) throw new UnreadableField(field, 'an array');
  const items = value.map((item) => scalar(item, field) ?? null);
  if (items.length < rule.min || items.length > rule.max) errors.push(fieldError(path(field), rule.code));
  items.forEach((item, i) => {
    if (!rule.element(item)) errors.push(fieldError(`${path(field)}[${i}]`, rule.code));
  });
}

/** `@AuthContextRef`: null passes; otherwise every space-separated part must be a known ACR. */
function isKnownAcr(version: EsignetVersion) {
  const known = acrFactors(version);
  return (value: string | null) =>
    value === null ||
    value
      .split(' ')
      .map((s) => s.trim())
      .filter(Boolean)
      .every((acr) => acr in known);
}

const grantTypeCode = (version: EsignetVersion) =>
  version === '1.7.0' ? 'unsupported_grant_type' : 'invalid_grant_type';

function commonRules(version: EsignetVersion, userClaimsMin: number) {
  return {
    userClaims: {
      code: 'invalid_claim',
      min: userClaimsMin,
      max: 30,
      element: (c: string | null) => c !== null && CLAIMS_SUPPORTED.includes(c),
    },
    authContextRefs: { code: 'invalid_acr', min: 1, max: 30, element: isKnownAcr(version) },
    redirectUris: {
      code: 'invalid_redirect_uri',
      min: 1,
      max: 5,
      element: (u: string | null) => notBlank(u) && isValidRedirectUrl(u),
    },
    grantTypes: {
      code: grantTypeCode(version),
      min: 1,
      max: 3,
      element: (g: string | null) => g !== null && GRANT_TYPES.includes(g),
    },
    clientAuthMethods: {
      code: 'invalid_client_auth',
      min: 1,
      max: 3,
      element: (m: string | null) => m !== null && CLIENT_AUTH_METHODS.includes(m),
    },
  } satisfies Record<string, ListRule>;
}

const checkLogo = (r: Record<string, unknown>, errors: EsignetError[]) =>
  checkString(r, 'logoUri', 'invalid_uri', (s) => notBlank(s) && isValidJavaUrl(s), errors);
const checkName = (r: Record<string, unknown>, errors: EsignetError[]) =>
  checkString(r, 'clientName', 'invalid_client_name', (s) => notBlank(s) && s.length <= 256, errors);

// ISO-639-2/3 codes Java's Locale.getISO3Language() yields for the languages MOSIP deployments use.
const ISO3_LANGUAGES = new Set(
  (
    'eng fra ara khm spa por hin tam tel kan mal mar ben guj pan urd deu ita nld swe nor dan fin pol ces slk ' +
    'hun ron bul ell tur rus ukr heb fas amh swa yor ibo hau zul xho afr msa ind tha vie zho jpn kor mya lao ' +
    'sin nep fil tgl mlg kin lin wol ful som orm tir aze kaz uzb kir tgk mon kat hye sqi srp hrv bos slv mkd ' +
    'lit lav est isl gle cym eus cat glg'
  ).split(' '),
);

function checkNameLangMap(r: Record<string, unknown>, version: EsignetVersion, errors: EsignetError[]): void {
  const value = r['clientNameLangMap'];
  if (value === undefined || value === null) {
    // 1.4.1 declares the map @NotEmpty; from 1.5 it is optional.
    if (version === '1.4.1') errors.push(fieldError(path('clientNameLangMap'), 'invalid_client_name'));
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw new UnreadableField('clientNameLangMap', 'an object');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 && version === '1.4.1')
    errors.push(fieldError(path('clientNameLangMap'), 'invalid_client_name'));
  for (const [lang, raw] of entries) {
    const name = scalar(raw, 'clientNameLangMap');
    const at = `${path('clientNameLangMap')}[${lang}]`;
    if (!ISO3_LANGUAGES.has(lang)) errors.push(fieldError(at, 'invalid_language_code'));
    if (!notBlank(name)) errors.push(fieldError(at, 'invalid_client_name_value'));
    else if (version === '1.7.0' && name.length > 50) errors.push(fieldError(at, 'invalid_client_name_length'));
  }
}

const localizedText = z.union([z.null(), z.object({ '@none': z.string() }).catchall(z.string())]);

/** additional_config_request_schema.json (draft 2020-12, additionalProperties false). */
export const additionalConfigSchema = z.strictObject({
  userinfo_response_type: z.enum(['JWS', 'JWE']).optional(),
  purpose: z
    .union([
      z.null(),
      z.strictObject({
        type: z.enum(['none', 'verify', 'link', 'login']),
        title: localizedText.optional(),
        subTitle: localizedText.optional(),
      }),
    ])
    .optional(),
  signup_banner_required: z.boolean().optional(),
  forgot_pwd_link_required: z.boolean().optional(),
  consent_expire_in_mins: z.number().min(10).optional(),
  require_pushed_authorization_requests: z.boolean().optional(),
  dpop_bound_access_tokens: z.boolean().optional(),
});

function checkAdditionalConfig(r: Record<string, unknown>, errors: EsignetError[]): void {
  const value = r['additionalConfig'];
  if (value === undefined || value === null) return;
  if (!additionalConfigSchema.safeParse(value).success)
    errors.push(fieldError(path('additionalConfig'), 'invalid_additional_config'));
}

function checkApiExtras(
  r: Record<string, unknown>,
  version: EsignetVersion,
  api: ClientApi,
  errors: EsignetError[],
): void {
  if (api !== 'oidc-client') checkNameLangMap(r, version, errors);
  if (api === 'client') checkAdditionalConfig(r, errors);
}

export function validateClientCreate(
  r: Record<string, unknown>,
  version: EsignetVersion,
  api: ClientApi,
): EsignetError[] {
  const errors: EsignetError[] = [];
  const rules = commonRules(version, 0);
  checkString(r, 'clientId', 'invalid_client_id', (s) => isIdFormat(s) && s!.length <= 100, errors);
  checkName(r, errors);
  const key = r['publicKey'];
  if (key !== undefined && key !== null && (typeof key !== 'object' || Array.isArray(key)))
    throw new UnreadableField('publicKey', 'an object');
  if (!key || Object.keys(key).length === 0) errors.push(fieldError(path('publicKey'), 'invalid_public_key'));
  checkString(r, 'relyingPartyId', 'invalid_rp_id', (s) => isIdFormat(s) && s!.length <= 100, errors);
  checkList(r, 'userClaims', rules.userClaims, errors);
  checkList(r, 'authContextRefs', rules.authContextRefs, errors);
  checkLogo(r, errors);
  checkList(r, 'redirectUris', rules.redirectUris, errors);
  checkList(r, 'grantTypes', rules.grantTypes, errors);
  checkList(r, 'clientAuthMethods', rules.clientAuthMethods, errors);
  checkApiExtras(r, version, api, errors);
  return errors;
}

/** Full replacement: every field required; `clientId`, `publicKey` and `relyingPartyId` are not part of it. */
export function validateClientUpdate(
  r: Record<string, unknown>,
  version: EsignetVersion,
  api: ClientApi,
): EsignetError[] {
  const errors: EsignetError[] = [];
  const rules = commonRules(version, 1);
  checkLogo(r, errors);
  checkList(r, 'redirectUris', rules.redirectUris, errors);
  checkList(r, 'userClaims', rules.userClaims, errors);
  checkList(r, 'authContextRefs', rules.authContextRefs, errors);
  checkString(r, 'status', 'invalid_status', (s) => s === 'ACTIVE' || s === 'INACTIVE', errors);
  checkList(r, 'grantTypes', rules.grantTypes, errors);
  checkName(r, errors);
  checkList(r, 'clientAuthMethods', rules.clientAuthMethods, errors);
  checkApiExtras(r, version, api, errors);
  return errors;
}

/** Lists as stored: `removeAll(null)` before saving. */
export function storedList(value: unknown): string[] {
  return (value as unknown[]).filter((v) => v !== null).map(String);
}
