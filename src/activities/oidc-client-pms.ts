// Registering OpenG2P through the PMS OIDC API (mosip-pms.md §8): PMS checks the Auth Partner,
// its approved policy mapping and the Auth policy, derives the client id from the key and the
// claims and ACRs from the policy, and forwards the client to e-Signet itself. Re-runs look the
// client up first (GET; PMS_IDP_004 = absent) and update it instead of creating it again.
import { createHash } from 'node:crypto';
import { RemoteRejection } from '../clients/errors.js';
import type { PmsClient } from '../clients/pms.js';
import { PolicyManagerClient } from '../clients/policymanager.js';
import { mosipServiceUrls, redirectUris } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { SecretScope } from '../security/secrets.js';
import type { ActivityDeps } from './context.js';
import { adminPms, partnerAdminToken } from './mosip-session.js';
import { blockingFailure } from './failures.js';
import type { OidcClientResult } from './types.js';

/**
 * The id PMS gives a key (ClientManagementServiceImpl.createOIDCClient, release-1.2.0.1):
 * base64url without padding of SHA-256 over jose4j's `RsaJsonWebKey.toJson()` — members kty,
 * kid, use, alg, n, e in that order, no whitespace. PMS answers the id on create; this lets a
 * re-run find the client before creating (the sandbox derives it independently, so tests
 * catch a drift between the two).
 */
export function pmsOidcClientId(publicJwk: Record<string, unknown>): string {
  const ordered: Record<string, unknown> = { kty: publicJwk.kty };
  for (const member of ['kid', 'use', 'alg'] as const)
    if (typeof publicJwk[member] === 'string') ordered[member] = publicJwk[member];
  ordered.n = publicJwk.n;
  ordered.e = publicJwk.e;
  return createHash('sha256').update(JSON.stringify(ordered)).digest('base64url');
}

/**
 * The Auth policy's id: the one PMS returned with the API key (collectCredentials stored it),
 * else the policy manager's list of the group's active policies.
 */
async function authPolicyId(spec: DeploymentSpec, secrets: SecretScope, deps: ActivityDeps): Promise<string> {
  const stored = (await deps.credentials.read(spec.deploymentId)).apiKey?.policyId;
  if (stored) return stored;
  const { policyGroup, policy } = spec.partners.auth;
  const policies = new PolicyManagerClient(
    mosipServiceUrls(spec.mosip).policymanager,
    await partnerAdminToken(spec, secrets, deps.http),
    deps.http,
  );
  const found = (await policies.activePoliciesOfGroup(policyGroup)).find((p) => p.name === policy);
  if (!found) {
    throw blockingFailure('PolicyMissing', `policy group ${policyGroup} has no active policy named "${policy}"`, {
      system: 'policymanager',
      hint: 'ask the Partner Admin to publish the policy, or fix partners.auth.policy, then retry',
    });
  }
  return found.id;
}

/** Clients PMS may already hold for this key: the id recorded by an earlier run, then the derived one. */
async function existingClient(
  spec: DeploymentSpec,
  pms: PmsClient,
  publicJwk: Record<string, unknown>,
  deps: ActivityDeps,
) {
  const recorded = (await deps.credentials.read(spec.deploymentId)).oidcClient;
  const ids = new Set<string>();
  if (recorded?.via === 'pms' && recorded.keyThumbprint === String(publicJwk.kid)) ids.add(recorded.clientId);
  ids.add(pmsOidcClientId(publicJwk));
  for (const id of ids) {
    const client = await pms.getOidcClient(id);
    if (client) return client;
  }
  return undefined;
}

export async function registerWithPms(
  spec: DeploymentSpec,
  publicJwk: Record<string, unknown>,
  secrets: SecretScope,
  deps: ActivityDeps,
): Promise<OidcClientResult> {
  const pms = await adminPms(spec, secrets, deps.http);
  const settings = {
    logoUri: spec.oidcClient.logoUri,
    redirectUris: redirectUris(spec),
    grantTypes: ['authorization_code'],
    clientAuthMethods: ['private_key_jwt'],
  };
  const existing = await existingClient(spec, pms, publicJwk, deps);
  if (existing) {
    if (existing.relyingPartyId && existing.relyingPartyId !== spec.partners.auth.id) {
      throw blockingFailure(
        'ClientKeyConflict',
        `PMS client ${existing.id} holds this key for partner ${existing.relyingPartyId}, not ${spec.partners.auth.id}`,
        {
          system: 'pms',
          hint: 'rotate the client key, then retry',
        },
      );
    }
    // PMS's update cannot change the key (ClientDetailUpdateRequest has none): the same key keeps its client.
    const updated = await pms.updateOidcClient(existing.id, {
      ...settings,
      clientName: spec.oidcClient.name,
      status: 'ACTIVE',
    });
    return { clientId: updated.clientId, status: updated.status, adopted: true, via: 'pms' };
  }
  const policyId = await authPolicyId(spec, secrets, deps);
  try {
    // `authPartnerId`: the real DTO's spelling (ClientDetailCreateRequest); the guide's `authParnterId` is a typo.
    const created = await pms.createOidcClient({
      ...settings,
      name: spec.oidcClient.name,
      policyId,
      publicKey: publicJwk,
      authPartnerId: spec.partners.auth.id,
    });
    return { clientId: created.clientId, status: created.status, adopted: false, via: 'pms' };
  } catch (err) {
    if (err instanceof RemoteRejection && err.code === 'PMS_IDP_001') {
      // A create whose answer was lost may have landed after the lookup above: adopt it if so.
      const landed = await existingClient(spec, pms, publicJwk, deps);
      if (landed && (!landed.relyingPartyId || landed.relyingPartyId === spec.partners.auth.id)) {
        return { clientId: landed.id, status: landed.status, adopted: true, via: 'pms' };
      }
      throw blockingFailure(
        'ClientKeyConflict',
        `PMS already has a client for this key, but not under id ${pmsOidcClientId(publicJwk)}`,
        {
          system: 'pms',
          code: err.code,
          hint: 'find the client in the PMS portal (or rotate the client key), then retry',
        },
      );
    }
    throw err;
  }
}
