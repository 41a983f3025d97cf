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
