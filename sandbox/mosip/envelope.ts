// MOSIP request/response envelopes as the 1.2.0.x services produce them: PMS's own
// ResponseWrapper (`errors: []` on success, business errors as HTTP 200), the kernel
// ResponseWrapper behind `@ResponseFilter` (authmanager, keymanager: `errors: null`), and
// PMS bean validation (`PMS_COR_001`, first field only).
import { json, type SandboxRequest, type SandboxResponse } from '../router.js';

export interface MosipErrorItem {
  errorCode: string | null;
  message: string | null;
}

/** A business error a handler raises; the route turns it into the service's error envelope. */
export class MosipFailure extends Error {
  constructor(
    readonly errorCode: string | null,
    readonly detail: string | null,
  ) {
    super(`${errorCode}: ${detail}`);
  }
}

export function fail(errorCode: string | null, message: string | null): never {
  throw new MosipFailure(errorCode, message);
}

/** `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` */
export const responseTime = (date = new Date()): string => date.toISOString();

/** A `LocalDateTime` serialised by Jackson without `@JsonFormat`: ISO local date-time, no zone. */
export const localDateTime = (date: Date): string => date.toISOString().slice(0, -1);

/**
 * A `LocalDateTime.now()` serialised without `@JsonFormat` on a JDK 11 clock, as the running
 * 1.2.0.1 services write it (PMS_COR_001 error envelopes, MISP license expiry): nanoseconds, no `Z`.
 */
export const localDateTimeNanos = (date: Date): string => {
  // The digits below the millisecond, stable for one instant (a stored expiry reads back the same).
  const sub = String((date.getTime() * 7919) % 1_000_000).padStart(6, '0');
  return `${date.toISOString().slice(0, -1)}${sub}`;
};

const REQUEST_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface EnvelopeIds {
  id: unknown;
  version: unknown;
}

const NO_IDS: EnvelopeIds = { id: null, version: null };

function envelope(
  ids: EnvelopeIds,
  response: unknown,
  errors: MosipErrorItem[] | null,
  status: number,
  headers?: Record<string, string | string[]>,
  time = responseTime(),
): SandboxResponse {
  return json(
    { id: ids.id ?? null, version: ids.version ?? null, responsetime: time, metadata: null, response, errors },
    status,
    headers,
  );
}

export const pmsSuccess = (ids: EnvelopeIds | null, response: unknown): SandboxResponse =>
  envelope(ids ?? NO_IDS, response, [], 200);

/** PMS business errors always carry `id: mosip.partnermanagement`, `version: 1.0`. */
export const pmsError = (failure: MosipFailure): SandboxResponse =>
  envelope(
    { id: 'mosip.partnermanagement', version: '1.0' },
    null,
    [{ errorCode: failure.errorCode, message: failure.detail }],
    200,
  );

/** PMS's catch-all `Exception` handler: no id/version, no error code, the exception's message. */
export const pmsUnexpected = (message: string | null): SandboxResponse =>
  envelope(NO_IDS, null, [{ errorCode: null, message }], 200);

/** Bean-validation failures: PMS builds this body by hand with null id/version and a `LocalDateTime.now()` (nanoseconds, no `Z`). */
export const pmsValidationError = (failure: MosipFailure): SandboxResponse =>
  envelope(
    NO_IDS,
    null,
    [{ errorCode: failure.errorCode, message: failure.detail }],
    200,
    undefined,
    localDateTimeNanos(new Date()),
  );

/** A Java runtime exception the real service throws (reproduced where its code has a known bug). */
export class JavaRuntimeException extends Error {
  /** `null` for a NullPointerException on the JDK 11 the 1.2.0.x services run on. */
  constructor(readonly javaMessage: string | null) {
    super(javaMessage ?? 'java.lang.NullPointerException');
  }
}

/** `@ResponseFilter` success (authmanager, keymanager): id/version echoed, `errors: null`. */
export const kernelSuccess = (
  ids: EnvelopeIds | null,
  response: unknown,
  headers?: Record<string, string | string[]>,
): SandboxResponse => envelope(ids ?? NO_IDS, response, null, 200, headers);

export const kernelError = (
  ids: EnvelopeIds | null,
  errorCode: string,
  message: string,
  status = 200,
): SandboxResponse => envelope(ids ?? NO_IDS, null, [{ errorCode, message }], status);

/**
 * Auth adapter refusals (kernel-auth-adapter AuthFilter / AuthAdapterExceptionHandler), as the
 * running 1.2.0.1 services answer them: the 401 error object is written **twice**, back to back,
 * in one body (not one JSON document: clients must not parse it), and an `Authorization` cookie
 * with an empty value fails inside the filter with HTTP 500 instead.
 */
export function unauthenticated(req?: SandboxRequest): SandboxResponse {
  const cookie = req && Object.keys(req.cookies).find((name) => name.includes('Authorization'));
  if (req && cookie !== undefined && req.cookies[cookie] === '') {
    // The body of this 500 was not recorded; Spring Boot's default error object (inferred).
    return json({ timestamp: responseTime(), status: 500, error: 'Internal Server Error', path: req.path }, 500);
  }
  const once = JSON.stringify({
    id: null,
    version: null,
    responsetime: responseTime(),
    metadata: null,
    response: null,
    errors: [{ errorCode: 'KER-ATH-401', message: 'Authentication Failed' }],
  });
  return { status: 401, body: once + once, headers: { 'content-type': 'application/json' } };
}
export const forbidden = (): SandboxResponse => kernelError(null, 'KER-ATH-403', 'Forbidden', 403);

export interface RequestWrapper extends EnvelopeIds {
  request: Record<string, unknown> | null;
}

/**
 * Reads a RequestWrapper; a body Jackson cannot bind (malformed JSON, `requesttime` not in
 * `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`) gets Spring's bare HTTP 400 when `strictRequestTime`.
 */
export function readWrapper(req: SandboxRequest, strictRequestTime = true): RequestWrapper | SandboxResponse {
  const badRequest: SandboxResponse = { status: 400 };
  if (req.malformedJson) return badRequest;
  const body = req.json;
  if (body === undefined || body === null) return { id: null, version: null, request: null };
  if (typeof body !== 'object' || Array.isArray(body)) return badRequest;
  const wrapper = body as Record<string, unknown>;
  const time = wrapper.requesttime;
  if (
    time !== undefined &&
    time !== null &&
    strictRequestTime &&
    (typeof time !== 'string' || !REQUEST_TIME.test(time))
  ) {
    return badRequest;
  }
  const request = wrapper.request;
  if (request !== undefined && request !== null && (typeof request !== 'object' || Array.isArray(request)))
    return badRequest;
  return {
    id: wrapper.id,
    version: wrapper.version,
    request: (request as Record<string, unknown> | undefined) ?? null,
  };
}

export const isResponse = (value: RequestWrapper | SandboxResponse): value is SandboxResponse => 'status' in value;

/** One javax.validation constraint set on a request DTO field, with the DTO's own messages. */
export interface FieldRule {
  field: string;
  notBlank?: true | string;
  notNull?: true | string;
  size?: { min: number; max: number; message: string };
}

/** The first constraint violation as PMS reports it (`PMS_COR_001`), or undefined. */
export function validationFailure(
  request: Record<string, unknown> | null,
  rules: readonly FieldRule[],
): MosipFailure | undefined {
  const violation = (field: string, message: string) =>
    new MosipFailure('PMS_COR_001', `Invalid request parameter - ${message} :${field}`);
  if (!request) return violation('request', 'must not be null');
  for (const rule of rules) {
    const value = request[rule.field];
    const path = `request.${rule.field}`;
    if (rule.notNull && (value === undefined || value === null)) {
      return violation(path, rule.notNull === true ? 'must not be null' : rule.notNull);
    }
    if (rule.notBlank && (typeof value !== 'string' || value.trim() === '')) {
      return violation(path, rule.notBlank === true ? 'must not be blank' : rule.notBlank);
    }
    if (rule.size && typeof value === 'string' && (value.length < rule.size.min || value.length > rule.size.max)) {
      return violation(path, rule.size.message);
    }
  }
  return undefined;
}

/** String field of a validated request (validation guarantees presence for required fields). */
export function str(request: Record<string, unknown> | null, field: string): string {
  const value = request?.[field];
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export function optionalStr(request: Record<string, unknown> | null, field: string): string | undefined {
  const value = request?.[field];
  return typeof value === 'string' ? value : undefined;
}
