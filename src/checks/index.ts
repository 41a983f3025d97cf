// The consistency checks, one set used everywhere: `g2p-onboard check` (checks workflow),
// verifyIntegration, the plan and the drift watch. Each family reads one system; together they
// say whether e-Signet, MOSIP PMS and OpenG2P still agree with the deployment.
import { oidcClientId } from '../activities/oidc-client-esignet.js';
import { durationMs } from '../spec/duration.js';
import { monitoringOf } from '../spec/derived.js';
import { DAY_MS, type CheckContext } from './context.js';
import { esignetChecks } from './esignet.js';
import { mosipChecks } from './mosip.js';
import { openg2pChecks } from './openg2p.js';
import { healthOf, type CheckResult, type ConsistencyReport } from './report.js';

export type { CheckContext } from './context.js';
export * from './report.js';

/**
 * The slot for "the e-Signet version the spec names matches the API the server offers": the
 * detection is built with the prerequisites; until then the spec's version is taken as given.
 */
export function esignetVersionCheck(ctx: CheckContext): CheckResult {
  return {
    resource: 'esignet.version',
    check: 'matchesServer',
    status: 'cannot-check',
    wanted: ctx.spec.esignet.version,
    detail: `esignet.version ${ctx.spec.esignet.version} is taken as given`,
    why: 'e-Signet publishes no version; detecting it from the API it serves is not available yet',
  };
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
  results.push(esignetVersionCheck(ctx));
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
