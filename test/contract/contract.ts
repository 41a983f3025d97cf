// Checks one recorded exchange (what a client sent, what the sandbox answered) against the rules
// for its system: e-Signet's OpenAPI document of the sandbox's release, the PMS and Odoo reference.
import type { RecordedRequest } from '../../sandbox/router.js';
import type { EsignetOpenApi } from './openapi.js';
import { MOSIP_RULES, ODOO_RULES, type RouteRule } from './reference-rules.js';

const SERVLET_PATH = '/v1/esignet';
/** The Java service serves these under the servlet path; the documents list them at the domain root (esignet.md §2). */
const DOCUMENTED_AT: Record<string, string> = {
  '/oidc/.well-known/openid-configuration': '/.well-known/openid-configuration',
  '/oauth/.well-known/jwks.json': '/.well-known/jwks.json',
};
/** esignet.md §1.5, §2.3: client management and userinfo take a Bearer token. */
const BEARER_PATHS = [/^\/client-mgmt\//, /^\/oidc\/userinfo$/];
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

const zodProblems = (what: string, schema: RouteRule['response'], value: unknown): string[] => {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? []
    : parsed.error.issues.slice(0, 3).map((i) => `${what} ${i.path.join('.') || '(body)'}: ${i.message}`);
};

/**
 * mosip-pms.md, "Observed on running servers": the auth adapter's 401 body is its error object
 * written twice back to back (not one JSON document), KER-ATH-401 in each.
 */
export function mosip401Problems(body: unknown): string[] {
  if (typeof body !== 'string')
    return [
      'response: a 401 body must be the raw text the auth adapter writes (its error object twice), not one JSON document',
    ];
  let parses = true;
  try {
    JSON.parse(body);
  } catch {
    parses = false;
  }
  if (parses)
    return ['response: a 401 body that parses as one JSON document; the running services write the error object twice'];
  return body.match(/"errorCode":"KER-ATH-401"/g)?.length === 2
    ? []
    : ['response: a 401 body without KER-ATH-401 written twice'];
}

function checkByRule(r: RecordedRequest, rules: RouteRule[]): string[] {
  const rule = rules.find((x) => x.route === r.route && x.method === r.method);
  if (!rule) return [`no contract rule for ${r.method} ${r.route ?? r.path}: add one from the reference`];
  const problems: string[] = [];
  if (rule.auth === 'cookie' && !(r.cookieNames ?? []).includes('Authorization'))
    problems.push('token not sent as the Authorization cookie (mosip-pms.md §2.3)');
  if (rule.contentType && !(r.contentType ?? '').startsWith(rule.contentType))
    problems.push(`content type ${r.contentType ?? '(none)'}, expected ${rule.contentType}`);
  if (rule.request) problems.push(...zodProblems('request', rule.request, r.body));
  else if (r.body !== undefined) problems.push('a body on a request that takes none');
  if (rule.auth === 'cookie' && r.status === 401) problems.push(...mosip401Problems(r.response));
  else problems.push(...zodProblems('response', rule.response, r.response));
  return problems;
}

function checkEsignet(r: RecordedRequest, doc: EsignetOpenApi): string[] {
  const servicePath = r.path.startsWith(SERVLET_PATH) ? r.path.slice(SERVLET_PATH.length) : r.path;
  if (servicePath === '/csrf/token') {
    // Not in the documents; Spring Security's CsrfToken (esignet.md §2.4 step 0).
    const token = (r.response as { token?: unknown } | undefined)?.token;
    return typeof token === 'string' && token ? [] : ['response: no CSRF token'];
  }
  if (servicePath === '/actuator/info') {
    // Not in the documents; Spring Boot's build info, which e-Signet builds and exposes from 1.5.0
    // (esignet-service pom.xml build-info goal, bootstrap.properties): a 404 where it is not served.
    if (r.status === 404) return [];
    const version = (r.response as { build?: { version?: unknown } } | undefined)?.build?.version;
    return typeof version === 'string' && /^\d+\.\d+\.\d+/.test(version) ? [] : ['response: no build.version'];
  }
  const op = doc.operation(r.method, DOCUMENTED_AT[servicePath] ?? servicePath);
  if (!op) return [`${r.method} ${servicePath} is not in e-Signet ${doc.version}'s OpenAPI document`];
  const problems: string[] = [];
  if (BEARER_PATHS.some((p) => p.test(servicePath)) && r.authorizationScheme !== 'Bearer')
    problems.push(`sent without a Bearer token (got ${r.authorizationScheme ?? 'none'})`);
  if (op.requestTypes.length)
    problems.push(...doc.checkRequest(op, r.contentType ?? '', r.body).map((p) => `request ${p}`));
  else if (r.body !== undefined) problems.push('a body on a request that takes none');
  const documented = doc.checkResponse(op, r.status, r.response);
  if (documented) problems.push(...documented.map((p) => `response ${p}`));
  else if (
    servicePath === '/oidc/userinfo' &&
    r.status === 200 &&
    !(typeof r.response === 'string' && COMPACT_JWS.test(r.response))
  ) {
    problems.push('response: userinfo 200 must be a compact JWS (application/jwt)');
  }
  return problems;
}

/** Problems of one exchange, each prefixed with where it happened; empty when it follows the rules. */
export function contractProblems(r: RecordedRequest, doc: EsignetOpenApi): string[] {
  const problems =
    r.system === 'esignet'
      ? checkEsignet(r, doc)
      : r.system === 'mosip'
        ? checkByRule(r, MOSIP_RULES)
        : r.system === 'odoo'
          ? checkByRule(r, ODOO_RULES)
          : [];
  return problems.map((p) => `${r.system} ${r.method} ${r.path} → ${r.status}: ${p}`);
}
