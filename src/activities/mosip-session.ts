// Every MOSIP login an activity makes, in one place: the Partner Admin (PMS), the Auth Partner
// itself (its API key), the certificate reader (IDA's internal API, keymanager), each through
// authmanager with the spec's client, each token remembered as secret.
//
// The Partner Admin's token is also kept between PMS polls. Every waiting run checks its policy
// mapping once per poll interval; logging in for each check would make authmanager (and the
// Keycloak behind it, which opens a session per login) serve one login per run per minute:
// a thousand waiting deployments, 17 logins a second. One worker process reuses one token per
// set of credentials until shortly before it expires, and logs in again when PMS refuses it.
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { RemoteRejection } from '../clients/errors.js';
import { PmsClient } from '../clients/pms.js';
import type { HttpOptions } from '../clients/http.js';
import { mosipServiceUrls } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { SecretScope } from '../security/secrets.js';
import type { SecretRef } from '../spec/schema.js';
import { AuthmanagerClient } from '../clients/authmanager.js';
import { KeymanagerClient } from '../clients/keymanager.js';
import { IdaClient, type ServedCertificate } from '../clients/ida.js';

/** Log in again this long before the token's own expiry, so no call carries a token about to lapse. */
const RENEW_BEFORE_EXPIRY_MS = 60_000;
/** Upper bound on reuse, and the reuse of a token that states no expiry (not a JWT). */
const MAX_REUSE_MS = 10 * 60_000;
/** Distinct credential sets a worker serves: a handful; the bound only guards against growth. */
const MAX_SESSIONS = 64;

interface Session {
  token: string;
  reuseUntilMs: number;
}

const sessions = new Map<string, Session>();

/** Until when a fresh token may be reused: its `exp` (read, not trusted: PMS validates it) less a margin. */
export function reuseUntil(token: string, nowMs: number): number {
  let exp: number | undefined;
  try {
    exp = decodeJwt(token).exp;
  } catch {
    exp = undefined;
  }
  const cap = nowMs + MAX_REUSE_MS;
  return typeof exp === 'number' ? Math.min(exp * 1000 - RENEW_BEFORE_EXPIRY_MS, cap) : cap;
}

/** The login's identity: URL, user, client and a digest of both secrets (a changed password is a new session). */
async function sessionKey(spec: DeploymentSpec, secrets: SecretScope): Promise<string> {
  const digest = createHash('sha256')
    .update(await secrets.get(spec.mosip.partnerAdmin.password))
    .update('\0')
    .update(await secrets.get(spec.mosip.clientSecret))
    .digest('hex');
  const { authmanager } = mosipServiceUrls(spec.mosip);
  return [authmanager, spec.mosip.partnerAdmin.userName, spec.mosip.clientId, spec.mosip.appId, digest].join('\n');
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof RemoteRejection && err.httpStatus === 401;
}

/**
 * Runs `body` with a PMS client logged in as the Partner Admin, reusing this process's token
 * for the same credentials when it is still fresh. A reused token PMS refuses with 401 (revoked,
 * Keycloak restarted) is dropped and the body runs once more after a new login; `body` must be
 * safe to run twice (the watch only reads).
 */
export async function withReusedAdminPms<T>(
  spec: DeploymentSpec,
  secrets: SecretScope,
  http: HttpOptions | undefined,
  body: (pms: PmsClient) => Promise<T>,
): Promise<T> {
  const pmsUrl = mosipServiceUrls(spec.mosip).pms;
  const key = await sessionKey(spec, secrets);
  const reused = sessions.get(key);
  if (reused && reused.reuseUntilMs > Date.now()) {
    try {
      return await body(new PmsClient(pmsUrl, secrets.remember(reused.token), http));
    } catch (err) {
      if (!isUnauthorized(err)) throw err;
      if (sessions.get(key) === reused) sessions.delete(key);
    }
  }
  const token = await partnerAdminToken(spec, secrets, http);
  sessions.delete(key);
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
  sessions.set(key, { token, reuseUntilMs: reuseUntil(token, Date.now()) });
  return body(new PmsClient(pmsUrl, token, http));
}

/** A MOSIP user login through authmanager with the spec's client; the token is remembered as secret. */
async function mosipUserToken(
  spec: DeploymentSpec,
  secrets: SecretScope,
  userName: string,
  passwordRef: SecretRef,
  http?: HttpOptions,
): Promise<string> {
  const auth = new AuthmanagerClient(mosipServiceUrls(spec.mosip).authmanager, http);
  const token = await auth.loginWithPassword({
    userName,
    password: await secrets.get(passwordRef),
    appId: spec.mosip.appId,
    clientId: spec.mosip.clientId,
    clientSecret: await secrets.get(spec.mosip.clientSecret),
  });
  return secrets.remember(token);
}

/** Logs in to MOSIP as the Partner Admin account of the spec. */
export function partnerAdminToken(spec: DeploymentSpec, secrets: SecretScope, http?: HttpOptions): Promise<string> {
  return mosipUserToken(spec, secrets, spec.mosip.partnerAdmin.userName, spec.mosip.partnerAdmin.password, http);
}

/** Logs in as the Auth Partner itself (PMS issues API keys only to the partner's own user). */
export function authPartnerToken(spec: DeploymentSpec, secrets: SecretScope, http?: HttpOptions): Promise<string> {
  return mosipUserToken(spec, secrets, spec.partners.auth.id, spec.partners.auth.password, http);
}

export async function adminPms(spec: DeploymentSpec, secrets: SecretScope, http?: HttpOptions): Promise<PmsClient> {
  return new PmsClient(mosipServiceUrls(spec.mosip).pms, await partnerAdminToken(spec, secrets, http), http);
}

/** The spec's certificate-reader service account, logged in with `clientidsecretkey` (the token comes back as a cookie). */
async function certificateReaderToken(spec: DeploymentSpec, secrets: SecretScope, http?: HttpOptions): Promise<string> {
  const reader = spec.mosip.certificateReader;
  const token = await new AuthmanagerClient(mosipServiceUrls(spec.mosip).authmanager, http).loginWithClientSecret({
    clientId: reader.clientId,
    secretKey: await secrets.get(reader.clientSecret),
    appId: reader.appId,
  });
  return secrets.remember(token);
}

export interface IdaCertificate extends ServedCertificate {
  /** Where it was read, for evidence and messages: `IDA's internal API at <url>` or `keymanager at <url>`. */
  servedBy: string;
}

/**
 * The IDA partner certificate from where the spec says it is served (`mosip.idaCertificate`):
 * IDA's internal API by default, keymanager when the spec names it; read as the certificate reader.
 */
export async function readIdaCertificate(
  spec: DeploymentSpec,
  secrets: SecretScope,
  http?: HttpOptions,
): Promise<IdaCertificate> {
  const { applicationId, referenceId, source } = spec.mosip.idaCertificate;
  const urls = mosipServiceUrls(spec.mosip);
  const token = await certificateReaderToken(spec, secrets, http);
  if (source === 'keymanager') {
    const served = await new KeymanagerClient(urls.keymanager, token, http).getCertificate(applicationId, referenceId);
    return { ...served, servedBy: `keymanager at ${urls.keymanager}` };
  }
  const served = await new IdaClient(urls.ida, token, http).getCertificate(applicationId, referenceId);
  return { ...served, servedBy: `IDA's internal API at ${urls.ida}` };
}
