// checkDeployment: the consistency checks as one activity, for the checks workflow
// (`g2p-onboard check`), the drift watch and the day-two workflows. Read-only: it logs in and
// reads, nothing else. The report carries ids, URLs and fingerprints, never a secret.
import { horizonMsOf, runChecks, type ConsistencyReport } from '../checks/index.js';
import type { HttpOptions } from '../clients/http.js';
import type { SecretScope } from '../security/secrets.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';

export type { ConsistencyReport, CheckResult } from '../checks/index.js';

/** Runs every check inside an activity's guard (verifyIntegration shares the guard it is in). */
export async function consistencyReport(
  spec: DeploymentSpec,
  secrets: SecretScope,
  deps: ActivityDeps & { http: HttpOptions },
): Promise<ConsistencyReport> {
  return runChecks({
    spec,
    secrets,
    deps,
    stored: await deps.credentials.read(spec.deploymentId),
    now: new Date(),
    horizonMs: horizonMsOf(spec),
  });
}

export function consistencyActivities(deps: ActivityDeps) {
  return {
    async checkDeployment(spec: DeploymentSpec): Promise<ConsistencyReport> {
      return guardedFor(spec, deps, (secrets, deps) => consistencyReport(spec, secrets, deps));
    },
  };
}
