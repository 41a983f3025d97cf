// The MOSIP request/response envelope, in one place for authmanager, PMS and keymanager:
// builds the RequestWrapper, and unwraps the ResponseWrapper into the typed `response` or a
// typed error (business errors arrive as HTTP 200 with `errors[]`).
import { z } from 'zod';
import { ContractViolation, RemoteRejection } from './errors.js';
import { mosipTime, parseResponse, type HttpClient, type HttpResponse } from './http.js';

export interface MosipRequestWrapper<T> {
  id: string;
  version: string;
  requesttime: string;
  metadata: Record<string, never>;
  request: T;
}

/** MOSIP services do not check `id`/`version`; PMS echoes them back on some endpoints. */
export function mosipRequest<T>(request: T, id = 'mosip.g2p-onboard', version = '1.0'): MosipRequestWrapper<T> {
  return { id, version, requesttime: mosipTime(), metadata: {}, request };
}

/**
 * The kernel auth adapter reads the token only from this cookie; a Bearer header is ignored.
 * An empty cookie makes the running 1.2.0.1 services fail with HTTP 500, which would read as
 * transient and be retried for ever: a missing token is refused here, before anything is sent.
 */
export function authCookie(token: string): Record<string, string> {
  if (!token)
    throw new RemoteRejection('authmanager', 'NO_TOKEN', 'no MOSIP token to send: the login returned an empty one');
  return { cookie: `Authorization=${token}` };
}

const errorItem = z.object({ errorCode: z.string().nullish(), message: z.string().nullish() });

/** PMS success has `errors: []`, `@ResponseFilter` services `errors: null`; both are accepted. */
const envelopeSchema = z.object({
  response: z.unknown().optional(),
  errors: z.array(errorItem).nullish(),
});

export const AUTH_FAILED_CODE = 'KER-ATH-401';
export const FORBIDDEN_CODE = 'KER-ATH-403';

function firstError(data: unknown): z.infer<typeof errorItem> | undefined {
  const parsed = envelopeSchema.safeParse(data);
  return parsed.success ? parsed.data.errors?.[0] : undefined;
}

/**
 * Classifies an answer and returns the validated `response`:
 * 401/403 → RemoteRejection with the KER-ATH code (a 401's body is never read: the running
 * 1.2.0.1 auth adapter writes its error object twice into one body); 5xx/429/408 → TransientRemoteError;
 * other non-2xx → RemoteRejection `HTTP_<status>`; non-empty `errors` → RemoteRejection with the
 * service's code (`UNKNOWN` when PMS's catch-all handler sent none).
 */
export function unwrapMosip<S extends z.ZodType>(
  http: HttpClient,
  res: HttpResponse,
  endpoint: string,
  schema: S,
): z.infer<S> {
  if (res.status === 401 || res.status === 403) {
    let detail: z.infer<typeof errorItem> | undefined;
    try {
      detail = res.status === 403 ? firstError(JSON.parse(res.text)) : undefined;
    } catch {
      detail = undefined;
    }
    const code = detail?.errorCode ?? (res.status === 401 ? AUTH_FAILED_CODE : FORBIDDEN_CODE);
    const why =
      res.status === 401 ? 'token missing, invalid or expired' : 'the token lacks a role this endpoint requires';
    throw new RemoteRejection(
      http.system,
      code,
      `${endpoint}: ${detail?.message ?? why} (HTTP ${res.status})`,
      res.status,
    );
  }
  http.failOnTransientStatus(res, endpoint);
  if (res.status < 200 || res.status >= 300) {
    throw new RemoteRejection(
      http.system,
      `HTTP_${res.status}`,
      `${endpoint}: request refused with HTTP ${res.status}`,
      res.status,
    );
  }
  const body = parseResponse(http.system, endpoint, envelopeSchema, http.parseJson(res, endpoint));
  const error = body.errors?.[0];
  if (error) {
    throw new RemoteRejection(
      http.system,
      error.errorCode ?? 'UNKNOWN',
      `${endpoint}: ${error.message ?? 'no message'}`,
      res.status,
    );
  }
  if (body.response === undefined) throw new ContractViolation(http.system, endpoint, 'no `response` and no `errors`');
  return parseResponse(http.system, endpoint, schema, body.response);
}

/** True when `err` is a MOSIP rejection with one of these codes. */
export function isMosipCode(err: unknown, ...codes: string[]): err is RemoteRejection {
  return err instanceof RemoteRejection && codes.includes(err.code);
}
