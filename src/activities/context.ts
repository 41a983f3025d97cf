// What activities need from the worker's machine (its policy, secrets, a credential store, HTTP
// options), and the sessions every MOSIP-facing activity opens the same way. What a run may read
// and reach is derived here, from the worker's policy and the run's deployment, never from the spec.
import { Context } from '@temporalio/activity';
import { AuthmanagerClient } from '../clients/authmanager.js';
import { PmsClient } from '../clients/pms.js';
import { KeymanagerClient } from '../clients/keymanager.js';
import type { HttpOptions } from '../clients/http.js';
import { mosipServiceUrls } from '../spec/derived.js';
import type { DeploymentSpec, SecretRef } from '../spec/schema.js';
import { SecretScope, specSecretSource, type SpecSecretSource } from '../security/secrets.js';
import { egressFor, type WorkerPolicy } from '../security/worker-policy.js';
import { blockingFailure, toFailure } from './failures.js';
import { CredentialStore } from './credential-store.js';
import { specHttpOptions } from './spec-tls.js';

/** The worker's side of secret resolution; which names and files a run may use comes from the policy. */
export interface WorkerSecrets {
  /** The worker's environment, where allowed `env:` references are looked up. */
  env: NodeJS.ProcessEnv;
  /** The worker's own key and token files: no spec reference may read them (the credential store is added to these). */
  protectedPaths: readonly string[];
  /** Variables holding the worker's own keys, when its codec key ring or token is an `env:` reference. */
  protectedEnvNames?: readonly string[];
}

export interface ActivityDeps {
  /** The operator's policy: what each deployment's runs may read and reach (and who may act). */
  policy: WorkerPolicy;
  secrets: WorkerSecrets;
  credentials: CredentialStore;
  /** Timeouts; a run's egress rule and CA are added per run by guardedFor. */
  http?: Omit<HttpOptions, 'egress'>;
  /** The approvals page's origin, linked from approval notices (worker setting, never the spec's). */
  approvalsPage?: string;
}

/** How often a running activity tells Temporal it is alive (the SDK throttles what it sends). */
const HEARTBEAT_EVERY_MS = 2_000;

/** The running activity's context; undefined when called outside a worker (unit tests, the straight line). */
export function currentActivityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Heartbeats while `body` runs, so that with a `heartbeatTimeout` on the activity a worker that
 * died mid-call is noticed in seconds instead of at the start-to-close timeout. Outside an
 * activity (unit tests) it just runs the body.
 */
async function withHeartbeat<T>(body: () => Promise<T>): Promise<T> {
  const context = currentActivityContext();
  if (!context) return body();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await body();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs an activity body with a fresh secret scope, heartbeating, and converts whatever it
 * throws into a classified, redacted Temporal failure. Without `source` (a step that belongs to
 * no spec's systems, such as generating a key) the scope resolves no reference at all.
 */
export async function guarded<T>(
  deps: ActivityDeps,
  body: (secrets: SecretScope) => Promise<T>,
  source?: SpecSecretSource,
): Promise<T> {
  const secrets = new SecretScope(source);
  try {
    return await withHeartbeat(() => body(secrets));
  } catch (err) {
    throw toFailure(err, secrets);
  }
}

/** Where this deployment's spec references may be read: `<secretsDir>/<deploymentId>/`, the policy's env prefix. */
export function runSecretSource(deps: ActivityDeps, deploymentId: string): SpecSecretSource {
  return specSecretSource(deps.policy, deploymentId, {
    ...deps.secrets,
    protectedPaths: [...deps.secrets.protectedPaths, deps.credentials.dir],
  });
}

/** What this deployment's requests may reach: the policy's rule for it, or nothing when it has none. */
export function runEgress(policy: WorkerPolicy, deploymentId: string): NonNullable<HttpOptions['egress']> {
  const rule = egressFor(policy, deploymentId) ?? { hosts: [], privateNetworks: false };
  return {
    ...rule,
    origin: `deployment ${deploymentId} in the worker policy ${policy.source} (deployments: match, hosts, privateNetworks)`,
  };
}

/**
 * guarded() for a step that talks to the spec's systems: references resolve within what the
 * policy lets this deployment read, and every client the body builds from `deps.http` reaches only
 * the deployment's allowed hosts and addresses and trusts the spec's CA bundle (`tls.caFile`).
 * Every activity that sends HTTP goes through here.
 */
export async function guardedFor<T>(
  spec: DeploymentSpec,
  deps: ActivityDeps,
  body: (secrets: SecretScope, deps: ActivityDeps & { http: HttpOptions }) => Promise<T>,
): Promise<T> {
  let source: SpecSecretSource;
  try {
    source = runSecretSource(deps, spec.deploymentId);
  } catch (err) {
    throw blockingFailure('InvalidSpec', (err as Error).message);
  }
  return guarded(
    deps,
    async (secrets) =>
      body(secrets, {
        ...deps,
        http: await specHttpOptions(spec, source, { ...deps.http, egress: runEgress(deps.policy, spec.deploymentId) }),
      }),
    source,
  );
}
