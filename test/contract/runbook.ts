// The runbook's activities called in the workflow's order against a sandbox, without Temporal:
// the same requests a run sends, fast enough to capture both paths and both e-Signet releases.
import type { Sandbox } from '../../src/sandbox/index.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';

export async function runRunbook(sandbox: Sandbox, spec: DeploymentSpec, deps: ActivityDeps): Promise<{ clientId: string; adopted: boolean }> {
  const a = createActivities(deps);
  const prerequisites = await a.verifyPrerequisites(spec);
  await a.createAuthPartner(spec);
  const mapping = await a.requestAuthPolicyMapping(spec);
  await a.createMispPartner(spec);
  await a.requestMispLicense(spec);
  // The Partner Admin approves in the PMS portal.
  if (mapping.status === 'InProgress') sandbox.mosip.approveMapping(mapping.mappingKey);
  await a.collectCredentials(spec);
  const key = await a.generateClientKey(spec.deploymentId);
  const client = await a.registerOidcClient(spec, key.publicJwk);
  const provider = await a.configureOpenG2P(spec, {
    clientId: client.clientId,
    privateKeyPem: key.privateKeyPem,
    endpoints: prerequisites.endpoints,
    generation: prerequisites.openg2pGeneration,
  });
  await a.verifyIntegration(spec, { clientId: client.clientId, providerId: provider.providerId, endpoints: prerequisites.endpoints });
  return { clientId: client.clientId, adopted: client.adopted };
}
