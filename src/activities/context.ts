// What activities need from the worker's machine (secrets, a credential store, HTTP options),
// and the sessions every MOSIP-facing activity opens the same way.
import { AuthmanagerClient } from '../clients/authmanager.js';
import { PmsClient } from '../clients/pms.js';
import { KeymanagerClient } from '../clients/keymanager.js';
import type { HttpOptions } from '../clients/http.js';
import { mosipServiceUrls } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { SecretScope, type SecretSource } from '../security/secrets.js';
import { toFailure } from './failures.js';
import { CredentialStore } from './credential-store.js';

export interface ActivityDeps {
  secrets: SecretSource;
  credentials: CredentialStore;
  http?: HttpOptions;
}

/**
 * Runs an activity body with a fresh secret scope and converts whatever it throws into a
 * classified, redacted Temporal failure.
 */
export async function guarded<T>(deps: ActivityDeps, body: (secrets: SecretScope) => Promise<T>): Promise<T> {
  const secrets = new SecretScope(deps.secrets);
  try {
    return await body(secrets);
  } catch (err) {
    throw toFailure(err, secrets);
  }
}

/** Logs in to MOSIP as the Partner Admin account of the spec. */
export async function partnerAdminToken(spec: DeploymentSpec, secrets: SecretScope, http?: HttpOptions): Promise<string> {
  const urls = mosipServiceUrls(spec.mosip);
  const auth = new AuthmanagerClient(urls.authmanager, http);
  const token = await auth.loginWithPassword({
    userName: spec.mosip.partnerAdmin.userName,
    password: await secrets.get(spec.mosip.partnerAdmin.password),
    appId: spec.mosip.appId,
    clientId: spec.mosip.clientId,
    clientSecret: await secrets.get(spec.mosip.clientSecret),
  });
  return secrets.remember(token);
}

/** Logs in as the Auth Partner itself (PMS issues API keys only to the partner's own user). */
export async function authPartnerToken(spec: DeploymentSpec, secrets: SecretScope, http?: HttpOptions): Promise<string> {
  const urls = mosipServiceUrls(spec.mosip);
  const auth = new AuthmanagerClient(urls.authmanager, http);
  const token = await auth.loginWithPassword({
    userName: spec.partners.auth.id,
    password: await secrets.get(spec.partners.auth.password),
    appId: spec.mosip.appId,
    clientId: spec.mosip.clientId,
    clientSecret: await secrets.get(spec.mosip.clientSecret),
  });
  return secrets.remember(token);
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
