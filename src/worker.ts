// The worker: runs onboarding workflows and their activities on the `g2p-onboard` task queue.
// Secrets are resolved here (environment, files), never sent by the CLI.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { PayloadCodec } from '@temporalio/common';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { CredentialStore } from './activities/credential-store.js';
import { TASK_QUEUE } from './workflows/messages.js';
import { connectWorkerConnection } from './temporal/connection.js';
import { ensureLocalCodecKeys, loadCodec } from './security/codec-keys.js';

export const workflowsPath = resolve(import.meta.dirname, 'workflows', 'index.js');

export interface OnboardingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  codec: PayloadCodec;
  deps: ActivityDeps;
  taskQueue?: string;
  /** Extra Worker options (tests tune caches and pollers). */
  tuning?: Partial<WorkerOptions>;
}

export async function createOnboardingWorker(opts: OnboardingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowsPath,
    activities: createActivities(opts.deps),
    dataConverter: { payloadCodecs: [opts.codec] },
    ...opts.tuning,
  });
}

/** Worker dependencies from its environment: where secrets and the credential store live. */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): ActivityDeps {
  return {
    secrets: { env, baseDir: resolve(env.G2P_ONBOARD_SECRETS_DIR ?? process.cwd()) },
    credentials: new CredentialStore(resolve(env.G2P_ONBOARD_CREDENTIALS_DIR ?? '.data/credentials')),
  };
}

async function main(): Promise<void> {
  await ensureLocalCodecKeys();
  const codec = await loadCodec();
  const { connection, namespace, address } = await connectWorkerConnection();
  const worker = await createOnboardingWorker({ connection, namespace, codec, deps: depsFromEnv() });
  console.log(`g2p-onboard worker: task queue ${TASK_QUEUE}, namespace ${namespace}, server ${address}`);
  await worker.run();
  await connection.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(`worker failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
