// The runbook's activities called in the workflow's order against a sandbox, without Temporal:
// the same requests a run sends, fast enough to capture both paths and both e-Signet releases.
import type { Sandbox } from '../../sandbox/index.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { runRunbookStraight } from '../helpers/straight-runbook.js';

export async function runRunbook(
  sandbox: Sandbox,
  spec: DeploymentSpec,
  deps: ActivityDeps,
): Promise<{ clientId: string; adopted: boolean }> {
  // The Partner Admin approves in the PMS portal.
  const client = await runRunbookStraight(createActivities(deps), spec, async (mapping) => {
    if (mapping.status === 'InProgress') sandbox.mosip.approveMapping(mapping.mappingKey);
  });
  return { clientId: client.clientId, adopted: client.adopted };
}

/**
 * The day-two activities in their workflows' order (rotate-key, rotate-credentials, offboard),
 * without Temporal: the requests those operations send, for the contract checks.
 */
export async function runLifecycle(spec: DeploymentSpec, deps: ActivityDeps): Promise<void> {
  const a = createActivities(deps);
  const found = await a.inspectDeployment(spec);
  const via = found.oidcClientVia ?? spec.oidcClient.registration;
  const key = await a.generateNextClientKey(spec.deploymentId);
  const client = await a.registerNextOidcClient(spec, key.thumbprint);
  await a.switchOpenG2PClient(spec, {
    providerId: found.providerId!,
    clientId: client.clientId,
    clientKeyThumbprint: key.thumbprint,
  });
  await a.setOidcClientStatus(spec, { clientId: found.oidcClientId!, via, status: 'INACTIVE' });
  await a.adoptNextClientKey(spec.deploymentId, key.thumbprint);
  await a.issueNextApiKey(spec, found.apiKeyLabel!);
  await a.deactivateApiKeys(spec, { current: false });
  await a.renewMispLicense(spec, found.mispLicenseFingerprint!);
  await a.disableOpenG2PProvider(spec);
  await a.setOidcClientStatus(spec, { clientId: client.clientId, via, status: 'INACTIVE' });
  await a.deactivateApiKeys(spec, { current: true });
  await a.deactivateMispLicense(spec);
  await a.deactivatePartners(spec);
}
