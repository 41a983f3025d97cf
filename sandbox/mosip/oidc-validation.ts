// Bean validation of PMS's OIDC client DTOs (ClientDetailCreateRequest / ClientDetailUpdateRequest,
// release-1.2.0.1) with hibernate-validator's default messages; PMS reports the first violation
// as PMS_COR_001 "Invalid request parameter - <message> :<field>".
import { MosipFailure } from './envelope.js';

export type Check = (value: unknown) => string | undefined;
const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
const notNull: Check = (v) => (v === undefined || v === null ? 'must not be null' : undefined);
const notBlank: Check = (v) => (blank(v) ? 'must not be blank' : undefined);
const size =
  (min: number, max: number): Check =>
  (v) => {
    const length = typeof v === 'string' || Array.isArray(v) ? v.length : undefined;
    return length !== undefined && (length < min || length > max)
      ? `size must be between ${min} and ${max}`
      : undefined;
  };
const url: Check = (v) => {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    new URL(v);
    return undefined;
  } catch {
    return 'must be a valid URL';
  }
};
const notEmptyMap: Check = (v) =>
  !v || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0 ? 'must not be empty' : undefined;
const activeOrInactive: Check = (v) =>
  typeof v === 'string' && !/^(ACTIVE|INACTIVE)$/i.test(v) ? 'must match "(ACTIVE)|(INACTIVE)"' : undefined;

export const CREATE_RULES: [string, Check[]][] = [
  ['name', [notBlank, size(1, 256)]],
  ['policyId', [notBlank, size(1, 36)]],
  ['publicKey', [notEmptyMap]],
  ['authPartnerId', [notBlank, size(1, 100)]],
  ['logoUri', [notBlank, url, size(0, 2048)]],
  ['redirectUris', [notNull, size(1, 5)]],
  ['grantTypes', [notNull, size(1, 3)]],
  ['clientAuthMethods', [notNull, size(1, 3)]],
];
export const UPDATE_RULES: [string, Check[]][] = [
  ['logoUri', [notNull, notBlank, url, size(0, 2048)]],
  ['redirectUris', [notNull, size(1, 5)]],
  ['status', [notNull, notBlank, activeOrInactive]],
  ['grantTypes', [notNull, size(1, 3)]],
  ['clientName', [notNull, notBlank]],
  ['clientAuthMethods', [notNull, size(1, 3)]],
];
const LIST_FIELDS = ['redirectUris', 'grantTypes', 'clientAuthMethods'];

export function violation(
  request: Record<string, unknown> | null,
  rules: [string, Check[]][],
): MosipFailure | undefined {
  const invalid = (field: string, message: string) =>
    new MosipFailure('PMS_COR_001', `Invalid request parameter - ${message} :${field}`);
  if (!request) return invalid('request', 'must not be null');
  for (const [field, checks] of rules) {
    for (const check of checks) {
      const message = check(request[field]);
      if (message) return invalid(`request.${field}`, message);
    }
  }
  const uris = request.redirectUris;
  if (rules === UPDATE_RULES && Array.isArray(uris)) {
    const at = uris.findIndex(blank);
    if (at >= 0) return invalid(`request.redirectUris[${at}].<list element>`, 'must not be blank');
  }
  return undefined;
}

/** A list Jackson cannot bind (a string where an array belongs) is unreadable: Spring's bare 400. */
export const unreadable = (request: Record<string, unknown> | null) =>
  LIST_FIELDS.some((f) => request?.[f] !== undefined && request[f] !== null && !Array.isArray(request[f]));

export const list = (value: unknown): string[] => (value as unknown[]).map(String);
