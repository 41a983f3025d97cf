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
import { ensureLocalCodecKeys, loadCodec } from './security/codec-keys.js';
import { loadWorkerPolicy } from './security/worker-policy.js';
import { dataConverterFor } from './security/data-converter.js';
import { installRedactingWorkerLogger } from './security/redacting-logger.js';
import { redact } from './security/redact.js';
import { knownSecretMatcher } from './security/known-secrets.js';
import { findWorkflowBundle, SHARED_WORKFLOW_MODULES } from './workflow-bundle.js';
import { DEFAULT_MAX_CACHED_WORKFLOWS, workerConfigFrom, type WorkerConfig } from './config/worker.js';
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
    console.warn(
      `g2p-onboard worker: ${bundle.reason}; bundling the workflows at start instead (run \`npm run build\` to prepare it)`,
    );
    // Bundled here rather than by Worker.create, so the build id is the hash of the code that runs.
    ({ code } = await bundleWorkflowCode({
      workflowsPath,
      preloadModules: [...SHARED_WORKFLOW_MODULES],
      failureConverterPath: FAILURE_CONVERTER_PATH,
    }));
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
    workerDeploymentOptions: {
      version: { deploymentName: WORKER_DEPLOYMENT_NAME, buildId },
      useWorkerVersioning: false,
    },
    activities: createActivities(opts.deps),
    // Its failure converter also goes into a bundle made at start; the prepared one embeds it (see workflow-bundle.ts).
    dataConverter: dataConverterFor(opts.codec),
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    ...opts.tuning,
  });
}

/** The worker's own secrets, named by the operator's references: no spec may read them. */
function workerOwnSecrets(config: WorkerConfig): { protectedPaths: string[]; protectedEnvNames: string[] } {
  const refs = [config.codecKeysRef, config.codecServerTokenRef];
  return {
    protectedPaths: refs
      .filter((r) => r.startsWith('file:'))
      .map((r) => resolve(config.secrets.baseDir, r.slice('file:'.length))),
    protectedEnvNames: refs.filter((r) => r.startsWith('env:')).map((r) => r.slice('env:'.length)),
  };
}

/**
 * What the activities need: the worker policy (none stops the worker), the secret source it
 * confines and the credential store. What a spec may read and reach is the policy's to say.
 */
export function workerDeps(config: WorkerConfig): ActivityDeps {
  const policy = loadWorkerPolicy(config.policyFile);
  const own = workerOwnSecrets(config);
  return {
    policy,
    secrets: {
      env: config.secrets.env,
      protectedPaths: [...own.protectedPaths, policy.source],
      protectedEnvNames: own.protectedEnvNames,
    },
    credentials: new CredentialStore(config.credentialsDir),
    ...(config.approvalsPage ? { approvalsPage: config.approvalsPage } : {}),
  };
}

async function main(): Promise<void> {
  // Read once, first: a wrong setting stops the worker here, with the variable named.
  const config = workerConfigFrom();
  // Before any connection exists: SDK, Core and activity logs all go through redaction.
  installRedactingWorkerLogger(config.logLevel);
  // Before connecting: a worker without a usable policy must not take tasks.
  const deps = workerDeps(config);
  if (config.localCodecKeys) await ensureLocalCodecKeys(config.secrets.baseDir);
  const codec = await loadCodec(config.codecKeysRef, config.secrets);
  const { connection, namespace, address } = await connectWorkerConnection();
  const worker = await createOnboardingWorker({
    connection,
    namespace,
    codec,
    deps,
    workflowBundlePath: config.workflowBundlePath,
    tuning: config.tuning,
  });
  const buildId = worker.options.workerDeploymentOptions?.version.buildId;
  console.log(
    `g2p-onboard worker: task queue ${TASK_QUEUE}, namespace ${namespace}, server ${address}, cache ${config.tuning.maxCachedWorkflows} runs, policy ${deps.policy.source}, build ${buildId}`,
  );
  await worker.run();
  await connection.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(`worker failed: ${redact(String((err as Error)?.message ?? err), knownSecretMatcher())}`);
    process.exit(1);
  });
}
