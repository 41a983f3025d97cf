// Registering OpenG2P through e-Signet's own client-management API (where PMS is not used):
// a deterministic client id, create, and on `duplicate_client_id` an update of the same client.
import { RemoteRejection } from '../clients/errors.js';
import { EsignetClient, type OidcClientRegistration } from '../clients/esignet.js';
import { clientCredentialsToken } from '../clients/keycloak.js';
import { redirectUris } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { SecretScope } from '../security/secrets.js';
import type { ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { claimsToRegister } from './policy-claims.js';
import type { OidcClientResult } from './types.js';

/**
 * The client id is derived from the deployment and the key, so the same key always maps to the
 * same id: `duplicate_client_id` then means "ours, already registered" and is adopted.
 */
export function oidcClientId(deploymentId: string, thumbprint: string): string {
  return `${deploymentId}-${thumbprint.slice(0, 16)}`;
}

/** e-Signet ≥ 1.6.0 serves the current `/client-mgmt/client` API (absent at v1.5.x); older ones only `/oidc-client`. */
export function clientManagementApi(esignetVersion: string): 'oidc-client' | 'client' {
  const [major = 0, minor = 0] = esignetVersion.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 6) ? 'client' : 'oidc-client';
}

/**
 * A Keycloak client-credentials token for e-Signet's client-management API, whose scope carries
 * add_oidc_client / update_oidc_client; remembered as a secret (never logged).
 */
export async function clientManagementToken(
  spec: DeploymentSpec,
  secrets: SecretScope,
  deps: ActivityDeps,
): Promise<{ accessToken: string }> {
  const cm = spec.esignet.clientManagement;
  // Validation requires it for this path; the type is optional because the PMS path needs none.
  if (!cm) {
    throw blockingFailure(
      'InvalidSpec',
      'esignet.clientManagement is missing, and a client registered through e-Signet is managed through it',
      {
        system: 'esignet',
        hint: 'add esignet.clientManagement (tokenUrl, clientId, clientSecret) to the spec, or set oidcClient.registration: pms, then `g2p-onboard retry <id> --spec fixed.yaml`',
      },
    );
  }
  const token = await clientCredentialsToken(cm.tokenUrl, cm.clientId, await secrets.get(cm.clientSecret), deps.http);
  secrets.remember(token.accessToken);
  return token;
}

/** What both registration paths' update APIs take for a client, from the spec. */
export function clientSettings<S extends 'ACTIVE' | 'INACTIVE'>(spec: DeploymentSpec, status: S) {
  return {
    clientName: spec.oidcClient.name,
    logoUri: spec.oidcClient.logoUri,
    redirectUris: redirectUris(spec),
    grantTypes: ['authorization_code'],
    clientAuthMethods: ['private_key_jwt'],
    status,
  };
}

export async function registerWithEsignet(
  spec: DeploymentSpec,
  publicJwk: Record<string, unknown>,
  secrets: SecretScope,
  deps: ActivityDeps,
): Promise<OidcClientResult> {
  const token = await clientManagementToken(spec, secrets, deps);
  const esignet = new EsignetClient(spec.esignet.baseUrl, deps.http);
  const api = clientManagementApi(spec.esignet.version);
  const registration: OidcClientRegistration = {
    clientId: oidcClientId(spec.deploymentId, String(publicJwk.kid)),
    clientName: spec.oidcClient.name,
    publicKey: publicJwk,
    relyingPartyId: spec.partners.auth.id,
    userClaims: await claimsToRegister(spec, secrets, deps),
    authContextRefs: spec.oidcClient.acrs,
    logoUri: spec.oidcClient.logoUri,
    redirectUris: redirectUris(spec),
    grantTypes: ['authorization_code'],
    clientAuthMethods: ['private_key_jwt'],
  };
  try {
    const created = await esignet.createOidcClient(token.accessToken, registration, api);
    return { clientId: created.clientId, status: created.status, adopted: false, via: 'esignet' };
  } catch (err) {
    if (err instanceof RemoteRejection && err.code === 'duplicate_public_key') {
      throw blockingFailure(
        'ClientKeyConflict',
        `e-Signet already has this public key under another client id than ${registration.clientId}`,
        {
          system: 'esignet',
          code: err.code,
          hint: 'rotate the client key (or remove the other client), then retry',
        },
      );
    }
    if (!(err instanceof RemoteRejection && err.code === 'duplicate_client_id')) throw err;
  }
  // Same id ⇒ same key (the id embeds its thumbprint): adopt it and bring its settings up to date.
  const { clientId: _id, publicKey: _key, relyingPartyId: _rp, ...settings } = registration;
  const updated = await esignet.updateOidcClient(
    token.accessToken,
    registration.clientId,
    { ...settings, status: 'ACTIVE' },
    api,
  );
  return { clientId: updated.clientId, status: updated.status, adopted: true, via: 'esignet' };
}
