// verifyPrerequisites: before anything is created, check every system answers and offers
// what the spec needs. All checks run; transient errors retry the whole activity, failed
// checks park the run as blocked with the full report.
import { TransientRemoteError } from '../clients/errors.js';
import { EsignetClient } from '../clients/esignet.js';
import { clientCredentialsToken } from '../clients/keycloak.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { SecretScope } from '../security/secrets.js';
import { guarded, keymanager, partnerAdminToken, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { odooSession } from './openg2p.js';
import { detectGeneration, type OpenG2PGeneration } from './openg2p-provider.js';
import type { EsignetEndpoints, PrerequisiteCheck, PrerequisiteReport } from './types.js';

const missingFrom = (wanted: string[], offered: string[] | undefined) => wanted.filter((w) => !(offered ?? []).includes(w));

export function prerequisiteActivities(deps: ActivityDeps) {
  return {
    async verifyPrerequisites(spec: DeploymentSpec): Promise<PrerequisiteReport> {
      return guarded(deps, async (secrets) => {
        const checks: PrerequisiteCheck[] = [];
        /** Runs one check; only transient errors escape (the activity is retried), anything else fails the check. */
        const check = async <T>(name: string, body: () => Promise<{ evidence: string; value?: T }>): Promise<T | undefined> => {
          try {
            const { evidence, value } = await body();
            checks.push({ name, ok: true, evidence });
            return value;
          } catch (err) {
            if (err instanceof TransientRemoteError) throw err;
            checks.push({ name, ok: false, evidence: (err as Error).message });
            return undefined;
          }
        };

        const endpoints = await check<EsignetEndpoints>('esignet.discovery', () => checkDiscovery(spec, deps));
        if (endpoints) {
          await check('esignet.jwks', async () => {
            const jwks = await new EsignetClient(spec.esignet.baseUrl, deps.http).jwks(endpoints.jwksUri);
            if (jwks.keys.length === 0) throw new Error(`${endpoints.jwksUri} lists no keys`);
            return { evidence: `${jwks.keys.length} signing key(s) at ${endpoints.jwksUri}` };
          });
        }
        await check('esignet.clientManagementToken', () => checkClientManagementToken(spec, secrets, deps));
        await check('mosip.login', async () => {
          await partnerAdminToken(spec, secrets, deps.http);
          return { evidence: `partner admin ${spec.mosip.partnerAdmin.userName} logged in through authmanager` };
        });
        await check('mosip.idaCertificate', async () => {
          const { applicationId, referenceId } = spec.mosip.idaCertificate;
          const cert = await (await keymanager(spec, secrets, deps.http)).getCertificate(applicationId, referenceId);
          return { evidence: `keymanager serves the ${applicationId}/${referenceId} certificate, valid until ${cert.expiryAt}` };
        });
        await check('secrets.authPartner', async () => {
          await secrets.get(spec.partners.auth.password);
          return { evidence: `${spec.partners.auth.password} resolves on the worker` };
        });
        const generation = await check<OpenG2PGeneration>('openg2p.providerModel', () => checkOpenG2P(spec, secrets, deps));

        const failed = checks.filter((c) => !c.ok);
        if (failed.length > 0 || !endpoints || !generation) {
          throw blockingFailure('PrerequisiteFailed', `${failed.length} prerequisite check(s) failed: ${failed.map((c) => `${c.name}: ${c.evidence}`).join('; ')}`, {
            hint: 'fix the failed checks, then `g2p-onboard retry`',
          });
        }
        return { checks, endpoints, openg2pGeneration: generation };
      });
    },
  };
}

async function checkDiscovery(spec: DeploymentSpec, deps: ActivityDeps): Promise<{ evidence: string; value: EsignetEndpoints }> {
  const d = await new EsignetClient(spec.esignet.baseUrl, deps.http).discovery();
  const problems: string[] = [];
  if (!(d.token_endpoint_auth_methods_supported ?? []).includes('private_key_jwt')) problems.push('private_key_jwt is not among token_endpoint_auth_methods_supported');
  const acrs = missingFrom(spec.oidcClient.acrs, d.acr_values_supported);
  if (acrs.length) problems.push(`ACRs not advertised: ${acrs.join(', ')}`);
  const claims = missingFrom(spec.oidcClient.claims, d.claims_supported);
  if (claims.length) problems.push(`claims not supported: ${claims.join(', ')}`);
  if (problems.length) throw new Error(problems.join('; '));
  return {
    evidence: `issuer ${d.issuer}; private_key_jwt, ${spec.oidcClient.acrs.length} ACRs and ${spec.oidcClient.claims.length} claims offered`,
    value: {
      issuer: d.issuer,
      authorizationEndpoint: d.authorization_endpoint,
      tokenEndpoint: d.token_endpoint,
      userinfoEndpoint: d.userinfo_endpoint,
      jwksUri: d.jwks_uri,
    },
  };
}

async function checkClientManagementToken(spec: DeploymentSpec, secrets: SecretScope, deps: ActivityDeps) {
  const cm = spec.esignet.clientManagement;
  const token = await clientCredentialsToken(cm.tokenUrl, cm.clientId, await secrets.get(cm.clientSecret), deps.http);
  secrets.remember(token.accessToken);
  const scopes = token.scope.split(/\s+/);
  const missing = missingFrom(['add_oidc_client', 'update_oidc_client'], scopes);
  if (missing.length) throw new Error(`client ${cm.clientId}'s token lacks scope(s) ${missing.join(', ')}`);
  return { evidence: `client ${cm.clientId} obtains a token with add_oidc_client and update_oidc_client` };
}

async function checkOpenG2P(spec: DeploymentSpec, secrets: SecretScope, deps: ActivityDeps) {
  const password = await secrets.get(spec.openg2p.password);
  const { odoo, uid } = await odooSession(spec, password, deps);
  const found = detectGeneration(await odoo.fieldsGet(uid, password, 'auth.oauth.provider'));
  if ('missing' in found) throw new Error(found.missing);
  const label = found.generation === 15 ? 'OpenG2P 1.x (auth_oidc + g2p_auth_id_oidc)' : 'OpenG2P 1.2+ (g2p_auth_oidc)';
  return { evidence: `${spec.openg2p.login} logged in to ${spec.openg2p.database}; provider model is ${label}`, value: found.generation };
}
