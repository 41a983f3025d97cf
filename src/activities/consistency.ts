// checkDeployment: the consistency checks as one activity, for the checks workflow
// (`g2p-onboard check`), the drift watch and the day-two workflows. Read-only: it logs in and
// reads, nothing else. The report carries ids, URLs and fingerprints, never a secret.
import { horizonMsOf, runChecks, type ConsistencyReport } from '../checks/index.js';
import type { HttpOptions } from '../clients/http.js';
import type { SecretScope } from '../security/secrets.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import type { StoredCredentials } from './credential-store.js';

export type { ConsistencyReport, CheckResult } from '../checks/index.js';

/** Runs every check inside an activity's guard (verifyIntegration shares the guard it is in). */
export async function consistencyReport(
  spec: DeploymentSpec,
  secrets: SecretScope,
  deps: ActivityDeps & { http: HttpOptions },
  /** The client being verified, when it is not the deployment's current one (a key rotation's new client). */
  verifying?: { clientId: string },
): Promise<ConsistencyReport> {
  return runChecks({
    spec,
    secrets,
    deps,
    stored: asVerified(await deps.credentials.read(spec.deploymentId), verifying),
    now: new Date(),
    horizonMs: horizonMsOf(spec),
  });
}

/**
 * During a key rotation the new client and key are checked (rotateClientKey verifies them before
 * they become the deployment's): the store keeps them as `next*` until then.
 */
function asVerified(stored: StoredCredentials, verifying?: { clientId: string }): StoredCredentials {
  const next = stored.nextOidcClient;
  if (!verifying || !next || next.clientId !== verifying.clientId || !stored.nextClientKey) return stored;
  return {
    ...stored,
    oidcClient: { ...next, redirectUris: stored.oidcClient?.redirectUris ?? [] },
    clientKey: stored.nextClientKey,
  };
}

export function consistencyActivities(deps: ActivityDeps) {
  return {
    async checkDeployment(spec: DeploymentSpec): Promise<ConsistencyReport> {
      return guardedFor(spec, deps, (secrets, deps) => consistencyReport(spec, secrets, deps));
    },
  };
}
