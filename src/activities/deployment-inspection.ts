// inspectDeployment: what a day-two operation starts from — the client, keys, credentials and
// provider the onboarded deployment has now — and the guard that no onboarding of the same
// deployment runs beside it (the other direction is admitRun's, see lifecycle-exclusion.ts).
import { ApplicationFailure } from '@temporalio/common';
import { OdooClient } from '../clients/odoo.js';
import { EsignetClient } from '../clients/esignet.js';
import { certificateFingerprint, sha256Hex } from '../security/fingerprint.js';
import { onboardingWorkflowId } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { RUN_REFUSED } from '../workflows/messages.js';
import { guarded, guardedFor, type ActivityDeps } from './context.js';
import { runningWorkflow } from './lifecycle-exclusion.js';
import { detectGeneration } from './openg2p-provider.js';
import type { DeploymentInspection } from './types.js';

const fingerprintOf = (pem: string | undefined) => (pem ? certificateFingerprint(pem) : undefined);

export function deploymentInspectionActivities(deps: ActivityDeps) {
  return {
    async inspectDeployment(spec: DeploymentSpec): Promise<DeploymentInspection> {
      const onboarding = await runningWorkflow(onboardingWorkflowId(spec.deploymentId));
      if (onboarding === 'running') {
        throw ApplicationFailure.create({
          type: RUN_REFUSED,
          nonRetryable: true,
          message: `the onboarding of ${spec.deploymentId} is running (${onboardingWorkflowId(spec.deploymentId)}); a day-two operation waits until it has ended`,
        });
      }
      return guardedFor(spec, deps, async (secrets, deps) => {
        const stored = await deps.credentials.read(spec.deploymentId);
        const password = await secrets.get(spec.openg2p.password);
        const odoo = new OdooClient(spec.openg2p.url, spec.openg2p.database, deps.http);
        const uid = await odoo.authenticate(spec.openg2p.login, password);
        const [provider] = await odoo.searchRead(
          uid,
          password,
          'auth.oauth.provider',
          [['name', '=', spec.openg2p.provider.name]],
          ['id', 'client_id', 'enabled'],
          1,
        );
        const d = await new EsignetClient(spec.esignet.baseUrl, deps.http).discovery();
        const generation = detectGeneration(await odoo.fieldsGet(uid, password, 'auth.oauth.provider'));
        return {
          offboardedAt: stored.offboarded?.at,
          oidcClientId: stored.oidcClient?.clientId,
          oidcClientVia: stored.oidcClient?.via,
          clientKeyThumbprint: stored.clientKey?.thumbprint,
          nextClientKeyThumbprint: stored.nextClientKey?.thumbprint,
          nextOidcClientId: stored.nextOidcClient?.clientId,
          apiKeyLabel: stored.apiKey?.label,
          apiKeyPolicyId: stored.apiKey?.policyId,
          apiKeyFingerprint: stored.apiKey ? sha256Hex(stored.apiKey.value) : undefined,
          mispLicenseFingerprint: stored.mispLicenseKey ? sha256Hex(stored.mispLicenseKey) : undefined,
          authCertificateFingerprint: fingerprintOf(stored.authPartner?.signedCertificatePem),
          mispCertificateFingerprint: fingerprintOf(stored.mispPartner?.signedCertificatePem),
          providerId: provider?.id,
          providerClientId: provider ? String(provider.client_id) : undefined,
          providerEnabled: provider ? provider.enabled === true : undefined,
          openg2pGeneration: 'generation' in generation ? generation.generation : undefined,
          endpoints: {
            issuer: d.issuer,
            authorizationEndpoint: d.authorization_endpoint,
            tokenEndpoint: d.token_endpoint,
            userinfoEndpoint: d.userinfo_endpoint,
            jwksUri: d.jwks_uri,
          },
        };
      });
    },

    /** The deployment is offboarded: later operations are refused and a re-run of offboarding changes nothing. */
    async recordOffboarded(deploymentId: string, by: string): Promise<{ at: string }> {
      return guarded(deps, async () => {
        const saved = await deps.credentials.update(deploymentId, (c) => ({
          ...c,
          offboarded: c.offboarded ?? { at: new Date().toISOString(), by },
        }));
        return { at: saved.offboarded!.at };
      });
    },
  };
}
