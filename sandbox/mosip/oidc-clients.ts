// PMS OIDC clients (`/v1/partnermanager/oidc/client`, release-1.2.0.1 ClientManagementController +
// ClientManagementServiceImpl), checks in code order. PMS forwards every create and update to
// e-Signet over HTTP (`mosip.pms.esignet.oidc-client-create-url` / `-update-url`: the sandbox's
// own e-Signet), with its own realm token as both the `Authorization` cookie and a Bearer header.
import { request as httpRequest } from 'undici';
import type { SandboxContext } from '../context.js';
import type { Route, SandboxRequest, SandboxResponse } from '../router.js';
import { authenticate } from './auth.js';
import {
  MosipFailure,
  fail,
  isResponse,
  pmsError,
  pmsSuccess,
  pmsUnexpected,
  pmsValidationError,
  readWrapper,
  str,
  unauthenticated,
} from './envelope.js';
import { pmsClientId, policyAcrs, policyClaims } from './oidc-mappings.js';
import { CREATE_RULES, UPDATE_RULES, list, unreadable, violation, type Check } from './oidc-validation.js';
import type { MosipState } from './state.js';

export interface PmsOidcClientRecord {
  id: string;
  name: string;
  policyId: string;
  /** jose4j's JSON of the key, as PMS stores and returns it. */
  publicKey: string;
  rpId: string;
  logoUri: string;
  redirectUris: string[];
  claims: string[];
  acrValues: string[];
  status: string;
  grantTypes: string[];
  clientAuthMethods: string[];
  createdBy: string;
  updatedBy?: string;
}

export interface PmsOidcClients {
  records: Map<string, PmsOidcClientRecord>;
  /** Clients created per id: a second create of the same client would show as 2. */
  createCounts: Record<string, number>;
  updateCounts: Record<string, number>;
}

/** A plain `Exception` without a message: PMS's catch-all answers errorCode null, message null. */
class PlainException extends Error {}

export function pmsOidcClientRoutes(
  ctx: SandboxContext,
  state: MosipState,
): { routes: Route[]; clients: PmsOidcClients } {
  const clients: PmsOidcClients = { records: new Map(), createCounts: {}, updateCounts: {} };
  const esignetService = () => `${ctx.urls.esignet.replace(/\/+$/, '')}/v1/esignet`;

  /** RestUtil: PMS's own token (client `mosip-pms-client`) as cookie and as Bearer. */
  async function callEsignet(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const token = await ctx.realm.clientCredentialsGrant(
      ctx.credentials.mosipClientId,
      ctx.credentials.mosipClientSecret,
    );
    try {
      const res = await httpRequest(url, {
        method,
        headers: {
          cookie: `Authorization=${token}`,
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json };
    } catch {
      return { status: 0, json: undefined };
    }
  }

  /** `RestUtil.postApi`/`putApi`: anything but a 2xx (or no answer) is PMS_KKS_001. */
  const notAccessible = () => new MosipFailure('PMS_KKS_001', 'Error while accessing the API.Please check the logs.');
  const requestTime = () => new Date().toISOString();

  async function create(caller: string, r: Record<string, unknown>) {
    const key = pmsClientId(r.publicKey as Record<string, unknown>);
    if (!key) throw new PlainException();
    if (clients.records.has(key.clientId)) fail('PMS_IDP_001', 'Client public key already exists.');
    const partnerId = str(r, 'authPartnerId');
    const partner = state.partners.get(partnerId);
    if (!partner) fail('PMS_PRT_058', `AuthPartner doesn't exists with this Id - ${partnerId}.`);
    if (partner.partnerTypeCode.toLowerCase() !== 'auth_partner') {
      fail(
        'PMS_PRT_059',
        `Only Auth_partner can Create OIDC Client. ${partner.partnerTypeCode} is not allowed to create OIDC Client.`,
      );
    }
    const policy = state.policies.get(str(r, 'policyId'));
    if (!policy) fail('PMS_PRT_073', 'Policy not exists.');
    if (policy.policyType !== 'Auth')
      fail('PMS_PRT_057', 'Policy Type Mismatch. Only Auth policy can be used to create OIDC Client.');
    const mappings = [...state.mappings.values()].filter((m) => m.partnerId === partnerId && m.policyId === policy.id);
    if (mappings.length === 0) fail('PMS_PRT_061', 'Partner policy mapping not exists.');
    if (mappings[0]!.statusCode !== 'approved')
      fail('PMS_IDP_002', 'Partner policy mapping is not approved. Please check mapping status.');

    // The claim whitelist is e-Signet's discovery (`mosip.pms.esignet.config-url`).
    const discovery = await callEsignet('GET', `${esignetService()}/oidc/.well-known/openid-configuration`);
    if (discovery.status !== 200) throw notAccessible();
    const supported = ((discovery.json as { claims_supported?: unknown })?.claims_supported ?? []) as string[];
    const claims = policyClaims(policy.policies, supported);
    if (claims.length === 0) fail('PMS_IDP_005', 'Partner has no user claims');
    const acrValues = policyAcrs(policy.policies);
    if (acrValues.length === 0) fail('PMS_IDP_005', 'Partner has no Authentication Context Refrences');

    const record: PmsOidcClientRecord = {
      id: key.clientId,
      name: str(r, 'name'),
      policyId: policy.id,
      publicKey: key.storedKey,
      rpId: partnerId,
      logoUri: str(r, 'logoUri'),
      redirectUris: list(r.redirectUris),
      claims,
      acrValues,
      status: 'ACTIVE',
      grantTypes: list(r.grantTypes),
      clientAuthMethods: list(r.clientAuthMethods),
      createdBy: caller,
    };
    const forwarded = await callEsignet('POST', `${esignetService()}/client-mgmt/oidc-client`, {
      requestTime: requestTime(),
      request: {
        clientId: record.id,
        clientName: record.name,
        relyingPartyId: record.rpId,
        logoUri: record.logoUri,
        publicKey: JSON.parse(record.publicKey) as unknown,
        userClaims: record.claims,
        authContextRefs: record.acrValues,
        redirectUris: record.redirectUris,
        grantTypes: record.grantTypes,
        clientAuthMethods: record.clientAuthMethods,
      },
    });
    if (forwarded.status < 200 || forwarded.status >= 300) throw notAccessible();
    const answer = (forwarded.json ?? {}) as {
      response?: { clientId?: string } | null;
      errors?: { errorCode?: string; errorMessage?: string }[];
    };
    if (!answer.response) {
      // e-Signet's error is passed through: its `errorMessage` becomes PMS's `message`.
      const first = answer.errors?.[0];
      if (first) fail(first.errorCode ?? null, first.errorMessage ?? null);
      fail('PMS_PRT_500', 'Unable to process the request.');
    }
    clients.records.set(record.id, record);
    clients.createCounts[record.id] = (clients.createCounts[record.id] ?? 0) + 1;
    return { clientId: record.id, status: record.status };
  }

  async function update(caller: string, clientId: string, r: Record<string, unknown>) {
    const existing = clients.records.get(clientId);
    if (!existing) fail('PMS_IDP_004', 'Client not exists with given id.');
    const updated: PmsOidcClientRecord = {
      ...existing,
      name: str(r, 'clientName'),
      logoUri: str(r, 'logoUri'),
      redirectUris: list(r.redirectUris),
      grantTypes: list(r.grantTypes),
      clientAuthMethods: list(r.clientAuthMethods),
      status: str(r, 'status').toUpperCase(),
      updatedBy: caller,
    };
    const forwarded = await callEsignet(
      'PUT',
      `${esignetService()}/client-mgmt/oidc-client/${encodeURIComponent(clientId)}`,
      {
        requestTime: requestTime(),
        request: {
          clientAuthMethods: updated.clientAuthMethods,
          clientName: updated.name,
          grantTypes: updated.grantTypes,
          logoUri: updated.logoUri,
          redirectUris: updated.redirectUris,
          status: updated.status,
          userClaims: updated.claims,
          authContextRefs: updated.acrValues,
        },
      },
    );
    // makeUpdateIDPServiceCall wraps RestUtil's failure; an e-Signet `errors[]` beside HTTP 200 is not read at all.
    if (forwarded.status < 200 || forwarded.status >= 300) {
      fail(
        'PMS_PRT_500',
        'Unable to process the request.PMS_KKS_001 --> Error while accessing the API.Please check the logs.',
      );
    }
    clients.records.set(clientId, updated);
    clients.updateCounts[clientId] = (clients.updateCounts[clientId] ?? 0) + 1;
    return { clientId, status: updated.status };
  }

  function detail(clientId: string) {
    const c = clients.records.get(clientId);
    if (!c) fail('PMS_IDP_004', 'Client not exists with given id.');
    return {
      id: c.id,
      name: c.name,
      policyId: c.policyId,
      policyName: state.policies.get(c.policyId)?.name ?? '',
      relyingPartyId: c.rpId,
      logoUri: c.logoUri,
      redirectUris: c.redirectUris,
      publicKey: c.publicKey,
      claims: c.claims,
      acrValues: c.acrValues,
      status: c.status,
      grantTypes: c.grantTypes,
      clientAuthMethods: c.clientAuthMethods,
    };
  }

  /** No @PreAuthorize on this controller: any valid token. The OIDC wrappers echo no id/version. */
  const route = (
    method: string,
    path: string,
    rules: [string, Check[]][] | undefined,
    handle: (caller: string, req: SandboxRequest, request: Record<string, unknown>) => unknown,
  ): Route => ({
    method,
    path,
    handler: async (req): Promise<SandboxResponse> => {
      const caller = await authenticate(ctx.realm, req);
      if (!caller) return unauthenticated(req);
      let request: Record<string, unknown> = {};
      if (rules) {
        if (!String(req.headers['content-type'] ?? '').includes('application/json')) return { status: 415 };
        const wrapper = readWrapper(req);
        if (isResponse(wrapper)) return wrapper;
        if (unreadable(wrapper.request)) return { status: 400 };
        const invalid = violation(wrapper.request, rules);
        if (invalid) return pmsValidationError(invalid);
        request = wrapper.request!;
      }
      try {
        return pmsSuccess(null, await handle(caller.userId, req, request));
      } catch (err) {
        if (err instanceof MosipFailure) return pmsError(err);
        if (err instanceof PlainException) return pmsUnexpected(null);
        throw err;
      }
    },
  });

  return {
    clients,
    routes: [
      route('POST', '/v1/partnermanager/oidc/client', CREATE_RULES, (caller, _req, r) => create(caller, r)),
      route('PUT', '/v1/partnermanager/oidc/client/:client_id', UPDATE_RULES, (caller, req, r) =>
        update(caller, req.params.client_id!, r),
      ),
      route('GET', '/v1/partnermanager/oidc/client/:client_id', undefined, (_caller, req) =>
        detail(req.params.client_id!),
      ),
    ],
  };
}
