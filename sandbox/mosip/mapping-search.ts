// POST /partners/apikey/request/search (PartnerServiceImpl.searchPartnerApiKeyRequests,
// release-1.2.0.1): the one PMS API that tells which policy a mapping request is for and
// its status. `policyName` and `partnerId` filters are applied as PMS does (policy name →
// policy ids; partner id in memory, forced to the caller's own partner unless Partner Admin).
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { ROLES, loggedInUserFilterRequired, pmsRoute } from './auth.js';
import { JavaRuntimeException, fail } from './envelope.js';
import { policyName } from './mappings.js';
import type { MappingRecord, MosipState } from './state.js';

interface SearchFilter {
  columnName?: unknown;
  type?: unknown;
  value?: unknown;
  values?: unknown;
}

/** `PartnerPolicyRequest` entity fields plus the columns PMS rewrites. */
const COLUMNS = new Set([
  'id',
  'apikeyRequestId',
  'crBy',
  'crDtimes',
  'isDeleted',
  'policyId',
  'policyName',
  'requestDatetimes',
  'requestDetail',
  'statusCode',
  'updBy',
  'updDtimes',
  'partnerId',
  'partnerName',
]);

/** java.sql.Timestamp through Spring Boot's Jackson defaults. */
const timestamp = (date: Date | undefined) => (date ? date.toISOString().replace('Z', '+00:00') : null);

function row(state: MosipState, m: MappingRecord): Record<string, unknown> {
  return {
    apikeyRequestId: m.mappingKey,
    crBy: m.createdBy,
    crDtimes: timestamp(m.createdAt),
    delDtimes: null,
    isDeleted: false,
    policyId: m.policyId,
    requestDatetimes: timestamp(m.createdAt),
    requestDetail: m.requestDetail,
    statusCode: m.statusCode,
    updBy: m.updatedBy ?? null,
    updDtimes: timestamp(m.updatedAt),
    partnerId: m.partnerId,
    partnerName: state.partners.get(m.partnerId)?.organizationName ?? '',
    policyName: policyName(state, m.policyId),
  };
}

function matches(value: unknown, filter: SearchFilter): boolean {
  const text = value === null || value === undefined ? '' : String(value);
  const wanted = String(filter.value ?? '');
  switch (filter.type) {
    case 'equals':
      return text === wanted;
    case 'contains':
      return text.toLowerCase().includes(wanted.toLowerCase());
    case 'startsWith':
      return text.toLowerCase().startsWith(wanted.toLowerCase());
    case 'in':
      return Array.isArray(filter.values) && filter.values.map(String).includes(text);
    default:
      return fail('PMS-MSD-312', 'Filter type is missing');
  }
}

function search(state: MosipState, callerPartnerId: string | undefined, request: Record<string, unknown>) {
  const { filters, sort, pagination } = request as {
    filters?: unknown;
    sort?: unknown;
    pagination?: { pageStart?: number; pageFetch?: number };
  };
  if (!Array.isArray(filters) || !Array.isArray(sort)) throw new JavaRuntimeException(null);
  let rows = [...state.mappings.values()].map((m) => row(state, m));
  let partnerFilter: SearchFilter | undefined;
  for (const filter of filters as SearchFilter[]) {
    if (typeof filter.columnName !== 'string' || !filter.columnName)
      fail('PMS-MSD-311', 'Column is missing in request');
    if (!COLUMNS.has(filter.columnName)) fail('PMS-MSD-310', `Invalid column received : ${filter.columnName}`);
    if (filter.value !== undefined && filter.value !== null && filter.values !== undefined && filter.values !== null) {
      fail('PMS-MSD-392', 'Both value and values cannot be present');
    }
    if (filter.columnName === 'partnerId') {
      partnerFilter = filter;
      continue;
    }
    if (filter.columnName === 'policyName') {
      const wanted = String(filter.value ?? '').toLowerCase();
      const policyIds = [...state.policies.values()].filter((p) => p.name.toLowerCase() === wanted).map((p) => p.id);
      if (policyIds.length === 0) return { fromRecord: 0, toRecord: 0, totalRecord: 0, data: null };
      rows = rows.filter((r) => policyIds.includes(String(r.policyId)));
      continue;
    }
    const column = filter.columnName === 'id' ? 'apikeyRequestId' : filter.columnName;
    rows = rows.filter((r) => matches(r[column], filter));
  }
  const partnerId = callerPartnerId ?? (partnerFilter ? String(partnerFilter.value ?? '') : undefined);
  if (partnerId !== undefined) rows = rows.filter((r) => r.partnerId === partnerId);
  for (const s of [...(sort as { sortField?: unknown; sortType?: unknown }[])].reverse()) {
    if (typeof s.sortField !== 'string' || typeof s.sortType !== 'string')
      fail('PMS-MSD-314', 'Missing sort field or sort type values');
    if (!['asc', 'desc'].includes(s.sortType.toLowerCase()))
      fail('PMS-MSD-358', `Sort type ${s.sortType} is not supported`);
    const direction = s.sortType.toLowerCase() === 'asc' ? 1 : -1;
    const field = s.sortField;
    rows.sort((a, b) => direction * String(a[field] ?? '').localeCompare(String(b[field] ?? '')));
  }
  if (!pagination) fail('PMS-MSD-356', 'Pagination cannot be null');
  const pageStart = pagination.pageStart ?? 0;
  const pageFetch = pagination.pageFetch ?? 10;
  if (pageStart < 0 || pageFetch < 1)
    fail('PMS-MSD-313', `Invalid pagination value received pagestart:${pageStart} and pagefetch:${pageFetch}`);
  const page = rows.slice(pageStart * pageFetch, pageStart * pageFetch + pageFetch);
  if (page.length === 0) return { fromRecord: 0, toRecord: 0, totalRecord: 0, data: null };
  const fromRecord = pageStart * pageFetch + 1;
  return { fromRecord, toRecord: fromRecord - 1 + page.length, totalRecord: rows.length, data: page };
}

export function mappingSearchRoutes(realm: Realm, state: MosipState): Route[] {
  return [
    pmsRoute(realm, {
      method: 'POST',
      path: '/v1/partnermanager/partners/apikey/request/search',
      roles: ROLES.searchApiKeyRequests,
      body: [],
      handle: ({ caller, request }) => {
        // Non-admin callers see only their own partner's requests (when they are a partner).
        const own = loggedInUserFilterRequired(caller) && state.partners.has(caller.userId) ? caller.userId : undefined;
        return search(state, own, request ?? {});
      },
    }),
  ];
}
