// What activities need from the worker's machine (secrets, a credential store, HTTP options),
// and the sessions every MOSIP-facing activity opens the same way.
import { Context } from '@temporalio/activity';
import { AuthmanagerClient } from '../clients/authmanager.js';
import { PmsClient } from '../clients/pms.js';
import { KeymanagerClient } from '../clients/keymanager.js';
import type { HttpOptions } from '../clients/http.js';
import { mosipServiceUrls } from '../spec/derived.js';
import type { DeploymentSpec, SecretRef } from '../spec/schema.js';
import { SecretScope, type SecretSource } from '../security/secrets.js';
import type { WorkerPolicy } from '../security/worker-policy.js';
import { toFailure } from './failures.js';
import { CredentialStore } from './credential-store.js';
import { specHttpOptions } from './spec-tls.js';

export interface ActivityDeps {
  /** The worker operator's policy: secrets root, hosts each deployment may reach, trusted people. */
  policy: WorkerPolicy;
  secrets: SecretSource;
  credentials: CredentialStore;
  http?: HttpOptions;
}

/** How often a running activity tells Temporal it is alive (the SDK throttles what it sends). */
const HEARTBEAT_EVERY_MS = 2_000;

/** The running activity's context; undefined when called outside a worker (unit tests, the straight line). */
export function currentActivityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Heartbeats while `body` runs, so that with a `heartbeatTimeout` on the activity a worker that
 * died mid-call is noticed in seconds instead of at the start-to-close timeout. Outside an
 * activity (unit tests) it just runs the body.
 */
async function withHeartbeat<T>(body: () => Promise<T>): Promise<T> {
  const context = currentActivityContext();
  if (!context) return body();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await body();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs an activity body with a fresh secret scope, heartbeating, and converts whatever it
 * throws into a classified, redacted Temporal failure.
 */
export async function guarded<T>(deps: ActivityDeps, body: (secrets: SecretScope) => Promise<T>): Promise<T> {
  const secrets = new SecretScope(deps.secrets);
  try {
    return await withHeartbeat(() => body(secrets));
  } catch (err) {
    throw toFailure(err, secrets);
  }
}

/**
 * guarded() for a step that talks to the spec's systems: the body gets deps whose HTTP options
 * trust the spec's CA bundle (`tls.caFile`), so every client it builds from `deps.http` does.
 */
export async function guardedFor<T>(spec: DeploymentSpec, deps: ActivityDeps, body: (secrets: SecretScope, deps: ActivityDeps) => Promise<T>): Promise<T> {
  return guarded(deps, async (secrets) => body(secrets, { ...deps, http: await specHttpOptions(spec, deps.secrets, deps.http) }));
}

/** A MOSIP user login through authmanager with the spec's client; the token is remembered as secret. */
async function mosipUserToken(spec: DeploymentSpec, secrets: SecretScope, userName: string, passwordRef: SecretRef, http?: HttpOptions): Promise<string> {
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

/** Keymanager, logged in as the spec's certificate-reader service account. */
export async function keymanager(spec: DeploymentSpec, secrets: SecretScope, http?: HttpOptions): Promise<KeymanagerClient> {
  const urls = mosipServiceUrls(spec.mosip);
  const reader = spec.mosip.certificateReader;
  const token = await new AuthmanagerClient(urls.authmanager, http).loginWithClientSecret({
    clientId: reader.clientId,
    secretKey: await secrets.get(reader.clientSecret),
    appId: reader.appId,
  });
  return new KeymanagerClient(urls.keymanager, secrets.remember(token), http);
}
