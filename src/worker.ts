// The worker: runs onboarding workflows and their activities on the `g2p-onboard` task queue.
// Secrets are resolved here (environment, files), never sent by the CLI; what a run may read
// and reach is decided by the worker's policy (src/security/worker-policy.ts), not by the spec.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { PayloadCodec } from '@temporalio/common';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { CredentialStore } from './activities/credential-store.js';
import { TASK_QUEUE } from './workflows/messages.js';
import { connectWorkerConnection } from './temporal/connection.js';
import { codecKeysRef, ensureLocalCodecKeys, loadCodec } from './security/codec-keys.js';
import { codecServerTokenRef } from './security/codec-server-auth.js';
import { loadWorkerPolicy, policyFile, PolicyError } from './security/worker-policy.js';
import { dataConverterFor } from './security/data-converter.js';
import { installRedactingWorkerLogger } from './security/redacting-logger.js';
import { redact } from './security/redact.js';
import { knownSecretMatcher } from './security/known-secrets.js';
import { findWorkflowBundle, SHARED_WORKFLOW_MODULES } from './workflow-bundle.js';
import { DEFAULT_MAX_CACHED_WORKFLOWS, workerTuningFromEnv } from './worker-tuning.js';
import { buildIdFor } from './build-id.js';
import { WORKER_DEPLOYMENT_NAME } from './temporal/build-memo.js';
import { FAILURE_CONVERTER_PATH } from './security/data-converter.js';

export const workflowsPath = resolve(import.meta.dirname, 'workflows', 'index.js');

export interface OnboardingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  codec: PayloadCodec;
  deps: ActivityDeps;
  taskQueue?: string;
  /** Extra Worker options (tests tune caches and pollers). */
  tuning?: Partial<WorkerOptions>;
  /** The bundle `npm run build` prepares (default dist/workflow-bundle.js). */
  workflowBundlePath?: string;
}

interface WorkflowSource {
  workflowBundle: { code: string };
  /** The build id of that code (src/build-id.ts). */
  buildId: string;
}

/** The prepared bundle when it matches the compiled code; else bundle at start (~2 s more) and say why. */
async function workflowSource(bundlePath: string | undefined): Promise<WorkflowSource> {
  const bundle = findWorkflowBundle(bundlePath);
  let code: string;
  if ('codePath' in bundle) code = readFileSync(bundle.codePath, 'utf8');
  else {
    console.warn(`g2p-onboard worker: ${bundle.reason}; bundling the workflows at start instead (run \`npm run build\` to prepare it)`);
    // Bundled here rather than by Worker.create, so the build id is the hash of the code that runs.
    ({ code } = await bundleWorkflowCode({ workflowsPath, preloadModules: [...SHARED_WORKFLOW_MODULES], failureConverterPath: FAILURE_CONVERTER_PATH }));
  }
  return { workflowBundle: { code }, buildId: buildIdFor(code) };
}

/** The build id a worker made with these options reports (for logs and tests). */
export async function workerBuildId(workflowBundlePath?: string): Promise<string> {
  return (await workflowSource(workflowBundlePath)).buildId;
}

export async function createOnboardingWorker(opts: OnboardingWorkerOptions): Promise<Worker> {
  const { workflowBundle, buildId } = await workflowSource(opts.workflowBundlePath);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowBundle,
    // Reported, not routed on: every workflow task this worker completes is stamped with its
    // build, and runs move to a new build at their next task (patched() keeps them compatible).
    workerDeploymentOptions: { version: { deploymentName: WORKER_DEPLOYMENT_NAME, buildId }, useWorkerVersioning: false },
    activities: createActivities(opts.deps),
    // Its failure converter also goes into a bundle made at start; the prepared one embeds it (see workflow-bundle.ts).
    dataConverter: dataConverterFor(opts.codec),
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    ...opts.tuning,
  });
}

/**
 * Certificates are always verified (every HTTP agent says so explicitly); a worker started with
 * verification turned off process-wide is refused anyway, so nobody believes it is off.
 */
export function assertCertificateChecksOn(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    throw new PolicyError('NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate checks off for the whole process; the worker refuses to start with it: unset it, and name a private CA in the spec\'s tls.caFile instead');
  }
}

/** The worker's own secrets, named by the operator's references: no spec may read them. */
function workerOwnSecrets(env: NodeJS.ProcessEnv): { protectedPaths: string[]; protectedEnvNames: string[] } {
  const refs = [codecKeysRef(env), codecServerTokenRef(env)];
  return {
    protectedPaths: refs.filter((r) => r.startsWith('file:')).map((r) => resolve(r.slice('file:'.length))),
    protectedEnvNames: refs.filter((r) => r.startsWith('env:')).map((r) => r.slice('env:'.length)),
  };
}

/**
 * Worker dependencies from its environment: its policy ($G2P_ONBOARD_POLICY, else
 * .data/worker-policy.yaml; none stops the worker) and the credential store. What a spec may read
 * and reach is the policy's to say.
 */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): ActivityDeps {
  assertCertificateChecksOn(env);
  const policy = loadWorkerPolicy(policyFile(env));
  const own = workerOwnSecrets(env);
  return {
    policy,
    secrets: { env, protectedPaths: [...own.protectedPaths, policy.source], protectedEnvNames: own.protectedEnvNames },
    credentials: new CredentialStore(resolve(env.G2P_ONBOARD_CREDENTIALS_DIR ?? '.data/credentials')),
  };
}

async function main(): Promise<void> {
  // Before any connection exists: SDK, Core and activity logs all go through redaction.
  installRedactingWorkerLogger();
  const tuning = workerTuningFromEnv();
  // Before connecting: a worker without a usable policy must not take tasks.
  const deps = depsFromEnv();
  await ensureLocalCodecKeys();
  const codec = await loadCodec();
  const { connection, namespace, address } = await connectWorkerConnection();
  const worker = await createOnboardingWorker({
    connection,
    namespace,
    codec,
    deps,
    workflowBundlePath: process.env.G2P_ONBOARD_WORKFLOW_BUNDLE,
    tuning,
  });
  const buildId = worker.options.workerDeploymentOptions?.version.buildId;
  console.log(`g2p-onboard worker: task queue ${TASK_QUEUE}, namespace ${namespace}, server ${address}, cache ${tuning.maxCachedWorkflows} runs, policy ${deps.policy.source}, build ${buildId}`);
  await worker.run();
  await connection.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(`worker failed: ${redact(String((err as Error)?.message ?? err), knownSecretMatcher())}`);
    process.exit(1);
  });
}
