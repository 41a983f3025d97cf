// verifyPrerequisites: before anything is created, check every system answers and offers
// what the spec needs. All checks run; transient errors retry the whole activity, failed
// checks park the run as blocked with the full report.
import { RemoteRejection, TransientRemoteError } from '../clients/errors.js';
import { EgressRefused } from '../clients/egress.js';
import { EsignetClient, type Discovery } from '../clients/esignet.js';
import type { ReconciledVersion } from '../clients/esignet-version.js';
import { clientCredentialsToken } from '../clients/keycloak.js';
import type { PolicyDetail } from '../clients/policymanager.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { SecretUnavailable, type SecretScope } from '../security/secrets.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { partnerAdminToken, readIdaCertificate } from './mosip-session.js';
import { claimsAgainstPolicy, outsidePolicyMessage, pmsDerivedClient, readAuthPolicy } from './policy-claims.js';
import { blockingFailure } from './failures.js';
import { odooSession } from './openg2p.js';
import { detectGeneration, type OpenG2PGeneration } from './openg2p-provider.js';
import { checkEsignetVersion, judgeLoginCompatibility, readOidcModules } from './login-compatibility.js';
import type { EsignetEndpoints, PrerequisiteCheck, PrerequisiteReport } from './types.js';

const missingFrom = (wanted: string[], offered: string[] | undefined) =>
  wanted.filter((w) => !(offered ?? []).includes(w));

export function prerequisiteActivities(deps: ActivityDeps) {
  return {
    async verifyPrerequisites(spec: DeploymentSpec): Promise<PrerequisiteReport> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const checks: PrerequisiteCheck[] = [];
        /** References that did not resolve: when they are the only trouble, the run is blocked as SecretUnavailable. */
        const unresolvedRefs: string[] = [];
        /** Runs one check; only transient errors escape (the activity is retried), anything else fails the check. */
        const check = async <T>(
          name: string,
          body: () => Promise<{ evidence: string; value?: T; warning?: boolean }>,
        ): Promise<T | undefined> => {
          try {
            const { evidence, value, warning } = await body();
            checks.push({ name, ok: true, evidence, ...(warning ? { warning } : {}) });
            return value;
          } catch (err) {
            // Retried as a whole, or blocked as what the worker policy refused (naming the setting to change).
            if (err instanceof TransientRemoteError || err instanceof EgressRefused) throw err;
            if (err instanceof SecretUnavailable) unresolvedRefs.push(err.ref);
            checks.push({ name, ok: false, evidence: (err as Error).message });
            return undefined;
          }
        };

        const discovered = await check<Discovered>('esignet.discovery', () => checkDiscovery(spec, deps));
        const endpoints = discovered?.endpoints;
        const esignetVersion = discovered
          ? await check<ReconciledVersion>('esignet.version', () =>
              checkEsignetVersion(spec, discovered.discovery, deps),
            )
          : undefined;
        if (endpoints) {
          await check('esignet.jwks', async () => {
            const jwks = await new EsignetClient(spec.esignet.baseUrl, deps.http).jwks(endpoints.jwksUri);
            if (jwks.keys.length === 0) throw new Error(`${endpoints.jwksUri} lists no keys`);
            return { evidence: `${jwks.keys.length} signing key(s) at ${endpoints.jwksUri}` };
          });
        }
        // Only e-Signet's own client-management API needs this token; on the PMS path, PMS registers the client.
        if (spec.oidcClient.registration === 'esignet') {
          await check('esignet.clientManagementToken', () => checkClientManagementToken(spec, secrets, deps));
        }
        const adminToken = await check<string>('mosip.login', async () => ({
          evidence: `partner admin ${spec.mosip.partnerAdmin.userName} logged in through authmanager`,
          value: await partnerAdminToken(spec, secrets, deps.http),
        }));
        const policy = adminToken
          ? await check<PolicyDetail>('mosip.policy', () => checkPolicy(spec, adminToken, deps))
          : undefined;
        // On the e-Signet path the client's claims are the spec's; PMS takes them from the policy itself.
        if (policy && spec.oidcClient.registration === 'esignet') {
          await check('oidcClient.claims', async () => checkClaimsWithinPolicy(spec, policy));
        }
        if (policy && discovered && spec.oidcClient.registration === 'pms') {
          await check('oidcClient.policyClaims', async () => checkPolicyDerivedClient(spec, policy, discovered));
        }
        await check('mosip.idaCertificate', async () => {
          const { applicationId, referenceId } = spec.mosip.idaCertificate;
          const cert = await readIdaCertificate(spec, secrets, deps.http);
          return {
            evidence: `${cert.servedBy} serves the ${applicationId}/${referenceId} certificate, valid until ${cert.expiryAt}`,
          };
        });
        await check('secrets.authPartner', async () => {
          await secrets.get(spec.partners.auth.password);
          return { evidence: `${spec.partners.auth.password} resolves on the worker` };
        });
        const verification = spec.verification;
        if (verification) {
          await check('secrets.verificationOtp', async () => {
            await secrets.get(verification.otp);
            return { evidence: `${verification.otp} resolves on the worker` };
          });
        }
        const openg2p = await check<{ generation: OpenG2PGeneration; modules: Record<string, string> }>(
          'openg2p.providerModel',
          () => checkOpenG2P(spec, secrets, deps),
        );
        const generation = openg2p?.generation;
        // Before anything is created: a pair that cannot log in is refused here, not at the final login.
        let incompatible: { message: string; fix: string } | undefined;
        if (openg2p && esignetVersion?.effective) {
          const version = esignetVersion.effective;
          await check('login.compatibility', async () => {
            const outcome = judgeLoginCompatibility(spec, version, openg2p.generation, openg2p.modules);
            if (outcome.refusal) {
              incompatible = outcome.refusal;
              throw new Error(`${outcome.evidence}; fix: ${outcome.refusal.fix}`);
            }
            return { evidence: outcome.evidence, warning: outcome.warning };
          });
        }

        const failed = checks.filter((c) => !c.ok);
        if (failed.length > 0 && failed.length === unresolvedRefs.length) {
          throw blockingFailure(
            'SecretUnavailable',
            `${failed.length} secret reference(s) cannot be resolved on the worker: ${failed.map((c) => `${c.name}: ${c.evidence}`).join('; ')}`,
            {
              code: unresolvedRefs.join(', '),
              hint: `make ${unresolvedRefs.join(', ')} resolvable on the worker: an environment variable with the worker policy's envPrefix, or a file in this deployment's folder of its secretsDir; then \`g2p-onboard retry\``,
            },
          );
        }
        if (incompatible && failed.length === 1) {
          throw blockingFailure('LoginIncompatible', incompatible.message, {
            code: 'login.compatibility',
            hint: `${incompatible.fix}; or, for an OIDC module patched beyond its released versions, openg2p.loginCompatibility: warn. Then \`g2p-onboard retry\` (\`--spec fixed.yaml\` for a spec change)`,
          });
        }
        if (failed.length > 0 || !endpoints || !generation) {
          throw blockingFailure(
            'PrerequisiteFailed',
            `${failed.length} prerequisite check(s) failed: ${failed.map((c) => `${c.name}: ${c.evidence}`).join('; ')}`,
            {
              hint: 'fix the failed checks, then `g2p-onboard retry`',
            },
          );
        }
        return {
          checks,
          endpoints,
          openg2pGeneration: generation,
          ...(esignetVersion?.effective ? { esignetVersion: esignetVersion.effective } : {}),
        };
      });
    },
  };
}

/** What discovery told: the endpoints OpenG2P will use, and what e-Signet accepts at registration. */
interface Discovered {
  endpoints: EsignetEndpoints;
  claimsSupported: string[];
  acrsSupported: string[];
  /** The whole document: what tells e-Signet's release apart. */
  discovery: Discovery;
}

async function checkDiscovery(
  spec: DeploymentSpec,
  deps: ActivityDeps,
): Promise<{ evidence: string; value: Discovered }> {
  const d = await new EsignetClient(spec.esignet.baseUrl, deps.http).discovery();
  const problems: string[] = [];
  if (!(d.token_endpoint_auth_methods_supported ?? []).includes('private_key_jwt'))
    problems.push('private_key_jwt is not among token_endpoint_auth_methods_supported');
  // The spec's claims and ACRs are registered only on the e-Signet path; PMS derives the client's
  // own from the Auth policy (checked against discovery once the policy is read).
  const ownClaims = spec.oidcClient.registration === 'esignet';
  if (ownClaims) {
    const acrs = missingFrom(spec.oidcClient.acrs, d.acr_values_supported);
    if (acrs.length) problems.push(`ACRs not advertised: ${acrs.join(', ')}`);
    const claims = missingFrom(spec.oidcClient.claims, d.claims_supported);
    if (claims.length) problems.push(`claims not supported: ${claims.join(', ')}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
  const offered = ownClaims
    ? `${spec.oidcClient.acrs.length} ACRs and ${spec.oidcClient.claims.length} claims offered`
    : `${d.claims_supported?.length ?? 0} claims and ${d.acr_values_supported?.length ?? 0} ACRs advertised`;
  return {
    evidence: `issuer ${d.issuer}; private_key_jwt, ${offered}`,
    value: {
      endpoints: {
        issuer: d.issuer,
        authorizationEndpoint: d.authorization_endpoint,
        tokenEndpoint: d.token_endpoint,
        userinfoEndpoint: d.userinfo_endpoint,
        jwksUri: d.jwks_uri,
      },
      claimsSupported: d.claims_supported ?? [],
      acrsSupported: d.acr_values_supported ?? [],
      discovery: d,
    },
  };
}

async function checkClientManagementToken(spec: DeploymentSpec, secrets: SecretScope, deps: ActivityDeps) {
  const cm = spec.esignet.clientManagement;
  // Validation requires it on the e-Signet path; a failed check (not a crash) if a spec got past it.
  if (!cm) throw new Error('esignet.clientManagement is not in the spec, and oidcClient.registration esignet needs it');
  const token = await clientCredentialsToken(cm.tokenUrl, cm.clientId, await secrets.get(cm.clientSecret), deps.http);
  secrets.remember(token.accessToken);
  const scopes = token.scope.split(/\s+/);
  const missing = missingFrom(['add_oidc_client', 'update_oidc_client'], scopes);
  if (missing.length) throw new Error(`client ${cm.clientId}'s token lacks scope(s) ${missing.join(', ')}`);
  return { evidence: `client ${cm.clientId} obtains a token with add_oidc_client and update_oidc_client` };
}

const DAY_MS = 24 * 3600 * 1000;
/** The policy manager writes LocalDateTime without a zone; MOSIP services run in UTC. */
const utc = (localDateTime: string) =>
  new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(localDateTime) ? localDateTime : `${localDateTime}Z`);

/**
 * The named policy is published (the policy manager lists only active policies of a group), of
 * type Auth and not expired — what PMS checks at mapping time (PMS_PMP_019, PMS_PMP_018) and at
 * OIDC client creation (PMS_PRT_057, and no mandatory auth type: PMS_IDP_003).
 */
async function checkPolicy(
  spec: DeploymentSpec,
  adminToken: string,
  deps: ActivityDeps,
): Promise<{ evidence: string; value: PolicyDetail }> {
  const { policyGroup, policy } = spec.partners.auth;
  const detail = await readAuthPolicy(spec, adminToken, deps);
  if (!detail)
    throw new Error(
      `policy group ${policyGroup} has no active policy named "${policy}" (absent, drafted and not published, or not readable)`,
    );
  const listed = { id: detail.policyId };
  const problems: string[] = [];
  if (detail.policyType !== 'Auth') problems.push(`its type is ${detail.policyType ?? 'unset'}, not Auth`);
  if (detail.validTill && utc(detail.validTill).getTime() < Date.now())
    problems.push(`it expired on ${detail.validTill}`);
  const authTypes = Array.isArray(detail.policies?.allowedAuthTypes)
    ? (detail.policies.allowedAuthTypes as { authType?: string; mandatory?: boolean }[])
    : [];
  const mandatory = authTypes.filter((t) => t.mandatory === true).map((t) => t.authType);
  if (spec.oidcClient.registration === 'pms' && mandatory.length)
    problems.push(`PMS refuses OIDC clients for it: mandatory auth types ${mandatory.join(', ')} (PMS_IDP_003)`);
  if (problems.length) throw new Error(`policy "${policy}" (${listed.id}): ${problems.join('; ')}`);
  const until = detail.validTill ? `, valid until ${detail.validTill.slice(0, 10)}` : '';
  const days = detail.validTill
    ? ` (${Math.floor((utc(detail.validTill).getTime() - Date.now()) / DAY_MS)} days left)`
    : '';
  return {
    evidence: `policy "${policy}" (${listed.id}, Auth) is published in group ${policyGroup}${until}${days}`,
    value: detail,
  };
}

/**
 * The claims the client will be registered with are within what the Auth policy allows
 * (esignet path): otherwise the run blocks naming the difference, or with
 * `claimsOutsidePolicy: drop` only the allowed ones will be registered.
 */
function checkClaimsWithinPolicy(spec: DeploymentSpec, policy: PolicyDetail): { evidence: string } {
  const { allowed, outside } = claimsAgainstPolicy(spec.oidcClient.claims, policy.policies);
  const name = `the Auth policy "${spec.partners.auth.policy}"`;
  if (outside.length === 0)
    return { evidence: `all ${allowed.length} claims (${allowed.join(', ')}) are allowed by ${name}` };
  if (spec.oidcClient.claimsOutsidePolicy === 'drop' && allowed.length > 0) {
    return {
      evidence: `${allowed.join(', ')} will be registered; ${outside.join(', ')} left out: not allowed by ${name} (claimsOutsidePolicy: drop)`,
    };
  }
  throw new Error(outsidePolicyMessage(spec, outside, policy.policies));
}

/**
 * PMS path: the client gets the claims and ACRs PMS derives from the Auth policy, not the spec's.
 * PMS refuses the client when either comes out empty (PMS_IDP_005), and e-Signet refuses an ACR it
 * does not advertise (invalid_acr): both are known now, before any partner exists.
 */
function checkPolicyDerivedClient(spec: DeploymentSpec, policy: PolicyDetail, discovery: Discovered) {
  const { claims, acrs } = pmsDerivedClient(policy.policies, discovery.claimsSupported);
  const name = `the Auth policy "${spec.partners.auth.policy}"`;
  const problems: string[] = [];
  if (claims.length === 0)
    problems.push(
      `${name} allows no KYC attribute behind a claim e-Signet supports (${discovery.claimsSupported.join(', ') || 'none advertised'}): PMS refuses the client (PMS_IDP_005); ask the Partner Admin to allow e.g. fullName or email in allowedKycAttributes`,
    );
  if (acrs.length === 0)
    problems.push(
      `${name} allows no auth type that maps to an ACR: PMS refuses the client (PMS_IDP_005); ask the Partner Admin to allow e.g. OTP in allowedAuthTypes`,
    );
  const unadvertised = missingFrom(acrs, discovery.acrsSupported);
  if (unadvertised.length)
    problems.push(`ACRs ${unadvertised.join(', ')} that PMS derives from ${name} are not advertised by e-Signet`);
  if (problems.length) throw new Error(problems.join('; '));
  return {
    evidence: `PMS will register claims ${claims.join(', ')} and ACRs ${acrs.join(', ')} from ${name} (oidcClient.claims and acrs are not used on the PMS path)`,
  };
}

async function checkOpenG2P(spec: DeploymentSpec, secrets: SecretScope, deps: ActivityDeps) {
  const password = await secrets.get(spec.openg2p.password);
  const { odoo, uid } = await odooSession(spec, password, deps);
  const fields = await odoo.fieldsGet(uid, password, 'auth.oauth.provider').catch((err: unknown) => {
    // Odoo answers UserError "Object auth.oauth.provider doesn't exist" when auth_oauth itself is missing.
    if (err instanceof RemoteRejection && err.code === 'odoo.exceptions.UserError')
      throw new Error("auth.oauth.provider does not exist: install Odoo's auth_oauth and OpenG2P's OIDC module");
    throw err;
  });
  const found = detectGeneration(fields);
  if ('missing' in found) throw new Error(found.missing);
  if (spec.openg2p.provider.idTypeName && !('g2p_id_type' in fields)) {
    throw new Error(
      'auth.oauth.provider has no g2p_id_type: install g2p_auth_id_oidc (needed for openg2p.provider.idTypeName)',
    );
  }
  const label = found.generation === 15 ? 'OpenG2P 1.x (auth_oidc + g2p_auth_id_oidc)' : 'OpenG2P 1.2+ (g2p_auth_oidc)';
  const modules = await readOidcModules(odoo, uid, password);
  const installed = Object.entries(modules)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return {
    evidence: `${spec.openg2p.login} logged in to ${spec.openg2p.database}; provider model is ${label}${installed ? ` (${installed})` : ''}`,
    value: { generation: found.generation, modules },
  };
}
