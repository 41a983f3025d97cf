// e-Signet's envelopes and error shapes: ResponseWrapper with errors[] beside HTTP 200 for the
// internal APIs, OAuthError for /oauth/**, and the security layer's 401/403.
import type { Realm } from '../realm.js';
import { json, type SandboxRequest, type SandboxResponse } from '../router.js';

export interface EsignetError {
  errorCode: string;
  errorMessage: string;
}

const now = (): string => new Date().toISOString();

/** A JSON scalar as Jackson binds it to a String field; anything else is absent. */
export const asString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

export function success(response: unknown): SandboxResponse {
  return json({ responseTime: now(), response, errors: [] });
}

export function failure(errors: EsignetError[], status = 200): SandboxResponse {
  return json({ responseTime: now(), response: null, errors }, status);
}

/** A business `EsignetException`: the message is the code itself (the i18n lookup result is discarded). */
export function businessError(code: string): SandboxResponse {
  return failure([{ errorCode: code, errorMessage: code }]);
}

/** A bean-validation failure on one field: `"<fieldPath>: <code>"`. */
export function fieldError(path: string, code: string): EsignetError {
  return { errorCode: code, errorMessage: `${path}: ${code}` };
}

/** A body Jackson could not read falls through to the generic handler: `unknown_error`, HTTP 200. */
export function unreadableBody(detail: string): SandboxResponse {
  return failure([{ errorCode: 'unknown_error', errorMessage: `JSON parse error: ${detail}` }]);
}

const REQUEST_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const LEEWAY_MS = 2 * 60_000;

/** `@RequestTime`: `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`, strictly inside now ± 2 minutes. */
export function isFreshRequestTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = REQUEST_TIME.exec(value);
  if (!m) return false;
  const at = Date.parse(value);
  if (Number.isNaN(at) || new Date(at).toISOString() !== value) return false;
  return Math.abs(at - Date.now()) < LEEWAY_MS;
}

/** A field whose JSON type Jackson cannot bind: the whole body is unreadable. */
export class UnreadableField extends Error {
  constructor(field: string, expected: string) {
    super(`Cannot deserialize field "${field}": expected ${expected}`);
  }
}

export type WrapperResult = { ok: true; request: Record<string, unknown> } | { ok: false; response: SandboxResponse };

/**
 * Reads `RequestWrapper<T>`: wrapper and request-field violations are reported together, as Spring's
 * MethodArgumentNotValidException does.
 */
export function readWrapper(
  req: SandboxRequest,
  validateRequest: (request: Record<string, unknown>) => EsignetError[],
): WrapperResult {
  if (req.malformedJson || (req.rawBody.trim() && req.json === undefined)) {
    return { ok: false, response: unreadableBody('request body is not valid JSON') };
  }
  if (!req.rawBody.trim()) return { ok: false, response: unreadableBody('Required request body is missing') };
  const body = req.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, response: unreadableBody('Cannot deserialize RequestWrapper from a non-object') };
  }
  const wrapper = body as Record<string, unknown>;
  const errors: EsignetError[] = [];
  if (!isFreshRequestTime(wrapper['requestTime'])) errors.push(fieldError('requestTime', 'invalid_request'));
  const request = wrapper['request'];
  if (request === undefined || request === null) {
    errors.push(fieldError('request', 'invalid_request'));
  } else if (typeof request !== 'object' || Array.isArray(request)) {
    return { ok: false, response: unreadableBody('Cannot deserialize request from a non-object') };
  } else {
    try {
      errors.push(...validateRequest(request as Record<string, unknown>));
    } catch (err) {
      if (err instanceof UnreadableField) return { ok: false, response: unreadableBody(err.message) };
      throw err;
    }
  }
  if (errors.length) return { ok: false, response: failure(dedupe(errors)) };
  return { ok: true, request: request as Record<string, unknown> };
}

function dedupe(errors: EsignetError[]): EsignetError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.errorCode}|${e.errorMessage}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function bearerToken(req: SandboxRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

/**
 * The resource-server check on /client-mgmt/**: a realm JWT whose `scope` holds the required scope
 * (authority `SCOPE_<scope>`). Returns the refusal, or undefined when allowed.
 */
export async function requireScope(
  req: SandboxRequest,
  realm: Realm,
  scope: string,
): Promise<SandboxResponse | undefined> {
  const claims = await realm.verify(bearerToken(req));
  if (!claims) return failure([{ errorCode: 'UNAUTHORIZED', errorMessage: 'Unauthorized' }], 401);
  const scopes = String(claims.scope ?? '').split(/\s+/);
  if (!scopes.includes(scope)) return failure([{ errorCode: 'FORBIDDEN', errorMessage: 'Forbidden' }], 403);
  return undefined;
}

/** `OAuthError` for /oauth/**. 1.4.1's handler adds no cache headers; 1.7.0's does. */
export function oauthError(error: string, description: string, status: number, cacheHeaders: boolean): SandboxResponse {
  const headers: Record<string, string> = cacheHeaders ? { 'cache-control': 'no-store', pragma: 'no-cache' } : {};
  return json({ error, error_description: description }, status, headers);
}

/** Spring Boot's error body, for refusals raised by the filter chain rather than a controller. */
export function springError(status: number, error: string, path: string): SandboxResponse {
  return json({ timestamp: now(), status, error, path }, status);
}
