// Typed client of MOSIP e-Signet: discovery, JWKS and the client-management API. The e-Signet
// envelope (`errors[]` beside HTTP 200) is unwrapped here into the service's own error codes.
import { z } from 'zod';
import { ContractViolation, RemoteRejection } from './errors.js';
import { HttpClient, mosipTime, parseResponse, type HttpOptions, type HttpResponse } from './http.js';

const stringList = z.array(z.string());

/** OIDC discovery as e-Signet serves it; keys this product does not read pass through untouched. */
export const discoverySchema = z.looseObject({
  issuer: z.string().min(1),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  userinfo_endpoint: z.url(),
  jwks_uri: z.url(),
  acr_values_supported: stringList.optional(),
  claims_supported: stringList.optional(),
  token_endpoint_auth_methods_supported: stringList.optional(),
  token_endpoint_auth_signing_alg_values_supported: stringList.optional(),
});
export type Discovery = z.infer<typeof discoverySchema>;

const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

const clientStatusSchema = z.object({ clientId: z.string().min(1), status: z.string().min(1) });

export interface OidcClientRegistration {
  clientId: string;
  clientName: string;
  publicKey: Record<string, unknown>;
  relyingPartyId: string;
  userClaims: string[];
  authContextRefs: string[];
  logoUri: string;
  redirectUris: string[];
  grantTypes: string[];
  clientAuthMethods: string[];
}

/** A full replacement: e-Signet has no partial update before its PATCH API. */
export interface OidcClientUpdate {
  clientName: string;
  logoUri: string;
  redirectUris: string[];
  userClaims: string[];
  authContextRefs: string[];
  status: 'ACTIVE' | 'INACTIVE';
  grantTypes: string[];
  clientAuthMethods: string[];
}

/** `/oidc-client` exists in every release; `/client` (V3, with additionalConfig) from 1.6.0. */
export type ClientManagementApi = 'oidc-client' | 'client';

const errorSchema = z.object({ errorCode: z.string().min(1), errorMessage: z.string().nullish() });
const envelopeSchema = z.object({
  responseTime: z.string().nullish(),
  response: z.unknown().optional(),
  errors: z.array(errorSchema).nullish(),
});

function envelopeErrors(text: string): z.infer<typeof errorSchema>[] {
  try {
    return envelopeSchema.safeParse(JSON.parse(text)).data?.errors ?? [];
  } catch {
    return [];
  }
}

/**
 * Classifies an e-Signet internal-API answer and returns its raw `response` object (the login flow
 * hashes it as received): 401/403 → RemoteRejection UNAUTHORIZED/FORBIDDEN; 5xx/429 → transient;
 * 404/405 → the endpoint does not exist on this release; `errors[]` → RemoteRejection with the code.
 */
export function esignetResponse(http: HttpClient, res: HttpResponse, endpoint: string): unknown {
  if (res.status === 401 || res.status === 403) {
    const [first] = envelopeErrors(res.text);
    const code = first?.errorCode ?? (res.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
    const why =
      res.status === 401
        ? 'bearer token missing, invalid or expired'
        : 'the token lacks the scope this endpoint requires';
    throw new RemoteRejection(http.system, code, `${endpoint}: ${why} (HTTP ${res.status})`, res.status);
  }
  http.failOnTransientStatus(res, endpoint);
  if (res.status === 404 || res.status === 405) {
    throw new ContractViolation(
      http.system,
      endpoint,
      `HTTP ${res.status}: not served here; check the e-Signet base URL and version`,
    );
  }
  if (res.status < 200 || res.status >= 300) {
    throw new RemoteRejection(
      http.system,
      `HTTP_${res.status}`,
      `${endpoint}: request refused with HTTP ${res.status}`,
      res.status,
    );
  }
  const body = parseResponse(http.system, endpoint, envelopeSchema, http.parseJson(res, endpoint));
  const errors = body.errors ?? [];
  if (errors.length) {
    const detail = errors.map((e) => e.errorMessage ?? e.errorCode).join('; ');
    throw new RemoteRejection(http.system, errors[0]!.errorCode, `${endpoint}: ${detail}`, res.status);
  }
  if (body.response === undefined || body.response === null)
    throw new ContractViolation(http.system, endpoint, 'no `response` and no `errors`');
  return body.response;
}

export function unwrapEsignet<S extends z.ZodType>(
  http: HttpClient,
  res: HttpResponse,
  endpoint: string,
  schema: S,
): z.infer<S> {
  return parseResponse(http.system, endpoint, schema, esignetResponse(http, res, endpoint));
}

/** Plain JSON GETs (discovery, JWKS): no envelope, so only the HTTP status classifies. */
function unwrapPlain<S extends z.ZodType>(
  http: HttpClient,
  res: HttpResponse,
  endpoint: string,
  schema: S,
): z.infer<S> {
  http.failOnTransientStatus(res, endpoint);
  if (res.status !== 200)
    throw new ContractViolation(http.system, endpoint, `HTTP ${res.status}; check the e-Signet base URL`);
  return parseResponse(http.system, endpoint, schema, http.parseJson(res, endpoint));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** What came back, for a message: the content type and the first characters (never more). */
function describeBody(res: HttpResponse): string {
  const type = res.headers['content-type'];
  const start = res.text.trim().slice(0, 40).replace(/\s+/g, ' ');
  return `${Array.isArray(type) ? type[0] : (type ?? 'no content type')}, starting "${start}${res.text.trim().length > 40 ? '…' : ''}"`;
}

export class EsignetClient {
  private readonly http: HttpClient;

  /** `baseUrl` includes the servlet path: `https://esignet.example.org/v1/esignet`. */
  constructor(
    baseUrl: string,
    private readonly opts: HttpOptions = {},
  ) {
    this.http = new HttpClient('esignet', baseUrl, opts);
  }

  async discovery(): Promise<Discovery> {
    const endpoint = 'GET /oidc/.well-known/openid-configuration';
    const res = await this.http.send('/oidc/.well-known/openid-configuration', { method: 'GET' });
    return unwrapPlain(this.http, res, endpoint, discoverySchema);
  }

  /**
   * `jwksUri` comes from discovery and may sit outside the service path (behind the UI's nginx).
   * An e-Signet deployed without its UI front names the deployed default `<domain>/.well-known/jwks.json`,
   * which the bare service answers with HTTP 200 and an empty body: that is said in so many words.
   */
  async jwks(jwksUri: string): Promise<{ keys: Record<string, unknown>[] }> {
    const http = new HttpClient('esignet', jwksUri, this.opts);
    const res = await http.send('', { method: 'GET' });
    const endpoint = `GET ${jwksUri}`;
    if (res.status === 200 && !isJson(res.text)) {
      const served = `${this.http.baseUrl.replace(/\/+$/, '')}/oauth/.well-known/jwks.json`;
      const body = res.text.trim() === '' ? 'an empty body' : `a body that is not JSON (${describeBody(res)})`;
      throw new ContractViolation(
        'esignet',
        endpoint,
        `discovery's jwks_uri ${jwksUri} answered HTTP 200 with ${body}, not a JWKS. e-Signet deployed without its UI front ` +
          `(no nginx before the service) does not serve that path: set e-Signet's mosip.esignet.jwks-uri to ${served} ` +
          '(where the service itself serves its keys), restart e-Signet, then retry',
      );
    }
    return unwrapPlain(http, res, endpoint, jwksSchema);
  }

  /** Registers a client; an existing id surfaces as RemoteRejection `duplicate_client_id` for the caller to adopt. */
  async createOidcClient(
    bearerToken: string,
    req: OidcClientRegistration,
    api: ClientManagementApi = 'oidc-client',
  ): Promise<{ clientId: string; status: string }> {
    const path = `/client-mgmt/${api}`;
    const res = await this.http.send(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearerToken}` },
      json: { requestTime: mosipTime(), request: req },
      write: true,
    });
    return unwrapEsignet(this.http, res, `POST ${path}`, clientStatusSchema);
  }

  /** Replaces every updatable field; unknown ids are RemoteRejection `invalid_client_id`. */
  async updateOidcClient(
    bearerToken: string,
    clientId: string,
    req: OidcClientUpdate,
    api: ClientManagementApi = 'oidc-client',
  ): Promise<{ clientId: string; status: string }> {
    const path = `/client-mgmt/${api}/${encodeURIComponent(clientId)}`;
    const res = await this.http.send(path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${bearerToken}` },
      json: { requestTime: mosipTime(), request: req },
      write: true,
    });
    return unwrapEsignet(this.http, res, `PUT /client-mgmt/${api}/{client_id}`, clientStatusSchema);
  }
}
