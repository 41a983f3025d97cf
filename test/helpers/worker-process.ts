// A worker in a process of its own, so tests and the soak can kill it with SIGKILL mid-activity.
// Configured by environment only, like the real worker: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE,
// G2P_ONBOARD_CODEC_KEYS (e.g. `env:G2P_TEST_CODEC_KEY`), G2P_ONBOARD_CREDENTIALS_DIR, G2P_ONBOARD_POLICY
// and the spec's secret references (G2P_SECRET_* from fixtures.secretEnv). G2P_TEST_HTTP_TIMEOUT_MS and
// G2P_TEST_HTTP_WRITE_TIMEOUT_MS shorten the HTTP clients' timeouts (the soak's hung calls).
// Prints WORKER_READY once it polls.
import { pathToFileURL } from 'node:url';
import { createOnboardingWorker, workerDeps } from '../../src/worker.js';
import { workerConfigFrom } from '../../src/config/worker.js';
import { connectWorkerConnection } from '../../src/temporal/connection.js';
import { loadCodec } from '../../src/security/codec-keys.js';

export const WORKER_READY_LINE = /^WORKER_READY pid=\d+/;

/** The command that starts this worker (after `npm run build`). */
export function workerProcessScript(): string {
  return new URL('./worker-process.js', import.meta.url).pathname;
}

const optionalNumber = (value: string | undefined) => (value ? Number(value) : undefined);

async function main(): Promise<void> {
  if (!process.env.TEMPORAL_ADDRESS) {
    // Not started by worker-launch.ts (e.g. picked up by a test runner): nothing to serve.
    console.error(
      'worker-process: TEMPORAL_ADDRESS is not set; tests start this file through test/helpers/worker-launch.ts',
    );
    return;
  }
  const config = workerConfigFrom();
  const codec = await loadCodec(config.codecKeysRef, config.secrets);
  const { connection, namespace } = await connectWorkerConnection();
  const deps = {
    ...workerDeps(config),
    http: {
      timeoutMs: optionalNumber(process.env.G2P_TEST_HTTP_TIMEOUT_MS),
      writeTimeoutMs: optionalNumber(process.env.G2P_TEST_HTTP_WRITE_TIMEOUT_MS),
    },
  };
  const worker = await createOnboardingWorker({ connection, namespace, codec, deps });
  console.log(`WORKER_READY pid=${process.pid}`);
  await worker.run();
  await connection.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(`test worker failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
}
