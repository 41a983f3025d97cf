// ClientManagementController + ClientManagementServiceImpl: create and full-replacement update of
// OIDC clients through the V1 (/oidc-client), V2 (/oauth-client) and V3 (/client) APIs.
import type { Route, SandboxRequest, SandboxResponse } from '../router.js';
import { businessError, readWrapper, requireScope, success } from './envelope.js';
import { registerPublicKey } from './keys.js';
import { SERVLET_PATH, type EsignetClientRecord, type EsignetState } from './state.js';
import { storedList, validateClientCreate, validateClientUpdate, type ClientApi } from './validation.js';

const LIST_FIELDS = ['userClaims', 'authContextRefs', 'redirectUris', 'grantTypes', 'clientAuthMethods'] as const;

function lists(r: Record<string, unknown>): Pick<EsignetClientRecord, (typeof LIST_FIELDS)[number]> {
  return {
    userClaims: storedList(r['userClaims']),
    authContextRefs: storedList(r['authContextRefs']),
    redirectUris: storedList(r['redirectUris']),
    grantTypes: storedList(r['grantTypes']),
    clientAuthMethods: storedList(r['clientAuthMethods']),
  };
}

/** V2/V3 store the name as a language map with `@none` = clientName. */
function nameLangMap(r: Record<string, unknown>, api: ClientApi): Record<string, string> | undefined {
  if (api === 'oidc-client') return undefined;
  const given = (r['clientNameLangMap'] ?? {}) as Record<string, unknown>;
  return {
    ...Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)])),
    '@none': String(r['clientName']),
  };
}

async function create(state: EsignetState, req: SandboxRequest, api: ClientApi): Promise<SandboxResponse> {
  const denied = await requireScope(req, state.ctx.realm, 'add_oidc_client');
  if (denied) return denied;
  const body = readWrapper(req, (r) => validateClientCreate(r, state.version, api));
  if (!body.ok) return body.response;
  const r = body.request;
  const clientId = String(r['clientId']);
  if (state.clients.has(clientId)) return businessError('duplicate_client_id');
  const key = await registerPublicKey(r['publicKey'] as Record<string, unknown>, state.version);
  if (!key) return businessError('invalid_public_key');
  // The database's unique index on the key's modulus.
  const keyTaken =
    key.uniqueKey !== undefined && [...state.clients.values()].some((c) => c.publicKey['n'] === key.uniqueKey);
  if (keyTaken) return businessError('duplicate_public_key');
  const now = new Date().toISOString();
  const record: EsignetClientRecord = {
    clientId,
    clientName: String(r['clientName']),
    publicKey: key.stored,
    relyingPartyId: String(r['relyingPartyId']),
    ...lists(r),
    logoUri: String(r['logoUri']),
    status: 'ACTIVE',
    createdAt: now,
    updatedAt: now,
  };
  const langMap = nameLangMap(r, api);
  if (langMap) record.clientNameLangMap = langMap;
  if (api === 'client')
    record.additionalConfig = (r['additionalConfig'] as Record<string, unknown> | undefined) ?? null;
  state.clients.set(clientId, record);
  state.createCounts[clientId] = (state.createCounts[clientId] ?? 0) + 1;
  return success({ clientId, status: record.status });
}

async function update(state: EsignetState, req: SandboxRequest, api: ClientApi): Promise<SandboxResponse> {
  const denied = await requireScope(req, state.ctx.realm, 'update_oidc_client');
  if (denied) return denied;
  const body = readWrapper(req, (r) => validateClientUpdate(r, state.version, api));
  if (!body.ok) return body.response;
  const r = body.request;
  const existing = state.clients.get(req.params['client_id'] ?? '');
  if (!existing) return businessError('invalid_client_id');
  const updated: EsignetClientRecord = {
    ...existing,
    clientName: String(r['clientName']),
    logoUri: String(r['logoUri']),
    ...lists(r),
    status: r['status'] as EsignetClientRecord['status'],
    updatedAt: new Date().toISOString(),
  };
  const langMap = nameLangMap(r, api);
  if (langMap) updated.clientNameLangMap = langMap;
  else delete updated.clientNameLangMap;
  if (api === 'client')
    updated.additionalConfig = (r['additionalConfig'] as Record<string, unknown> | undefined) ?? null;
  state.clients.set(existing.clientId, updated);
  return success({ clientId: updated.clientId, status: updated.status });
}

export function clientManagementRoutes(state: EsignetState): Route[] {
  // `/client-mgmt/client` (V3) arrived in e-Signet 1.6.0; a 1.4.1 server answers 404 there.
  const apis: ClientApi[] = state.atLeast('1.6.0')
    ? ['oidc-client', 'oauth-client', 'client']
    : ['oidc-client', 'oauth-client'];
  return apis.flatMap((api): Route[] => [
    { method: 'POST', path: `${SERVLET_PATH}/client-mgmt/${api}`, handler: (req) => create(state, req, api) },
    { method: 'PUT', path: `${SERVLET_PATH}/client-mgmt/${api}/:client_id`, handler: (req) => update(state, req, api) },
  ]);
}
