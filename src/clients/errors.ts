// Typed failures of remote calls. Clients throw these; activities turn them into Temporal
// failures (retryable or not) without looking at HTTP details.

export type RemoteSystem =
  'authmanager' | 'keycloak' | 'pms' | 'policymanager' | 'keymanager' | 'ida' | 'esignet' | 'odoo' | 'webhook';

/**
 * A remote system answered with an error it will give again on retry (validation, unknown
 * policy, wrong credentials, duplicate...): retrying cannot fix it, a person must.
 */
export class RemoteRejection extends Error {
  override name = 'RemoteRejection';
  constructor(
    readonly system: RemoteSystem,
    /** The system's own error code: `PMS_PRT_051`, `invalid_redirect_uri`, `odoo.exceptions.AccessDenied`… */
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${system} ${code}: ${message}`);
  }
}

/** The call may succeed if tried again: connection failure, timeout, 5xx, 429. */
export class TransientRemoteError extends Error {
  override name = 'TransientRemoteError';
  constructor(
    readonly system: RemoteSystem,
    message: string,
    readonly httpStatus?: number,
    /** Seconds the server asked us to wait (429/503 Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${system}: ${message}`);
  }
}

/** The answer did not have the shape the real API documents: a version mismatch or a wrong base URL. */
export class ContractViolation extends Error {
  override name = 'ContractViolation';
  constructor(
    readonly system: RemoteSystem,
    readonly endpoint: string,
    detail: string,
  ) {
    super(`${system} ${endpoint}: unexpected response: ${detail}`);
  }
}
