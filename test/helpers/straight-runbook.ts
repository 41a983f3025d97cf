// The runbook's activities called one after another in the workflow's order, with no Temporal
// in between: the benchmark's baseline and the contract tests' traffic capture. Not part of the
// product; the workflow (src/workflows/onboarding.ts) is the order's source of truth.
import type { DeploymentSpec } from '../../src/spec/schema.js';
import type { OnboardingActivities } from '../../src/activities/index.js';
import type { MappingResult, OidcClientResult } from '../../src/activities/types.js';

/** `approve` gives the Partner Admin's decision the way the caller wants it measured or captured. */
export async function runRunbookStraight(
  activities: OnboardingActivities,
  spec: DeploymentSpec,
  approve: (mapping: MappingResult) => Promise<void>,
): Promise<OidcClientResult> {
  const prerequisites = await activities.verifyPrerequisites(spec);
  await activities.createAuthPartner(spec);
  const mapping = await activities.requestAuthPolicyMapping(spec);
  await activities.createMispPartner(spec);
  await activities.requestMispLicense(spec);
  await approve(mapping);
  await activities.collectCredentials(spec);
  const key = await activities.generateClientKey(spec.deploymentId);
  const client = await activities.registerOidcClient(spec, key.publicJwk);
  const provider = await activities.configureOpenG2P(spec, {
    clientId: client.clientId,
    clientKeyThumbprint: key.thumbprint,
    endpoints: prerequisites.endpoints,
    generation: prerequisites.openg2pGeneration,
  });
  await activities.verifyIntegration(spec, {
    clientId: client.clientId,
    providerId: provider.providerId,
    endpoints: prerequisites.endpoints,
  });
  return client;
}
