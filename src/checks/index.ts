// The consistency checks, one set used everywhere: `g2p-onboard check` (checks workflow),
// verifyIntegration, the plan and the drift watch. Each family reads one system; together they
// say whether e-Signet, MOSIP PMS and OpenG2P still agree with the deployment.
import { oidcClientId } from '../activities/oidc-client-esignet.js';
import { durationMs } from '../spec/duration.js';
import { monitoringOf } from '../spec/derived.js';
import { detectEsignetVersion, reconcileEsignetVersion } from '../clients/esignet-version.js';
import { attempt, DAY_MS, type CheckContext } from './context.js';
import { esignetChecks } from './esignet.js';
import { mosipChecks } from './mosip.js';
import { openg2pChecks } from './openg2p.js';
import { healthOf, type CheckResult, type ConsistencyReport } from './report.js';

export type { CheckContext } from './context.js';
export * from './report.js';

/**
 * The e-Signet release the spec names is the one the server runs (detected as the prerequisites
 * detect it: `/actuator/info`, else discovery's features): the login compatibility and the
 * client-management path depend on it.
 */
export async function esignetVersionCheck(ctx: CheckContext): Promise<CheckResult[]> {
  const discovery = ctx.discovery;
  const wanted = ctx.spec.esignet.version;
  if (!discovery)
    return [
      {
        resource: 'esignet.version',
        check: 'matchesServer',
        status: 'cannot-check',
        wanted,
        detail: 'discovery did not answer, so the release cannot be told',
        why: 'the release is read from what the server serves',
      },
    ];
  return attempt(ctx, 'esignet.version', 'matchesServer', async () => {
    const detected = await detectEsignetVersion(ctx.spec.esignet.baseUrl, discovery, ctx.deps.http);
    const reconciled = reconcileEsignetVersion(wanted, detected);
    return [
      {
        resource: 'esignet.version',
        check: 'matchesServer',
        status: reconciled.mismatch ? 'drift' : 'in-sync',
        ...(detected.exact ? { live: detected.exact } : {}),
        wanted,
        detail: reconciled.mismatch ?? `${detected.how}${reconciled.confirmed ? '' : `; ${wanted} fits it`}`,
        why: 'which client-management API and which login rules apply depend on the release (README, "Login compatibility")',
      },
    ];
  });
}

/** On the e-Signet path the client id embeds the key's thumbprint, and e-Signet never changes a client's key. */
function esignetKeyCheck(ctx: CheckContext): CheckResult | undefined {
  const recorded = ctx.stored.oidcClient;
  const key = ctx.stored.clientKey;
  if (ctx.spec.oidcClient.registration !== 'esignet' || !recorded || !key) return undefined;
  const expected = oidcClientId(ctx.spec.deploymentId, key.thumbprint);
  return {
    resource: 'esignet.client',
    check: 'keyThumbprint',
    status: recorded.clientId === expected ? 'in-sync' : 'conflict',
    live: recorded.clientId,
    wanted: expected,
    detail:
      recorded.clientId === expected
        ? `client ${recorded.clientId} was registered with key ${key.thumbprint}`
        : `client ${recorded.clientId} was registered with another key than ${key.thumbprint}`,
    why: 'e-Signet has no client read API; its client ids are derived from the key, whose registration it never changes',
  };
}

export async function runChecks(ctx: CheckContext): Promise<ConsistencyReport> {
  // e-Signet first: the OpenG2P checks compare with its discovery.
  const results: CheckResult[] = [...(await esignetChecks(ctx))];
  const key = esignetKeyCheck(ctx);
  if (key) results.push(key);
  results.push(...(await esignetVersionCheck(ctx)));
  results.push(...(await mosipChecks(ctx)));
  results.push(...(await openg2pChecks(ctx)));
  return {
    deploymentId: ctx.spec.deploymentId,
    checkedAt: ctx.now.toISOString(),
    horizonDays: Math.round(ctx.horizonMs / DAY_MS),
    results,
    health: healthOf(results),
  };
}

export function horizonMsOf(spec: CheckContext['spec']): number {
  return durationMs(monitoringOf(spec).expiryHorizon);
}
