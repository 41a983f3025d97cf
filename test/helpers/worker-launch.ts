// Starting worker-process.ts as a child process (tests and the soak), with a codec key and the
// spec's secrets handed over by environment, exactly as an operator configures a real worker.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startProcess, type ManagedProcess } from '../../scripts/processes.js';
import { AesGcmCodec, keyRingFromKeys } from '../../src/security/codec.js';
import { WORKER_READY_LINE, workerProcessScript } from './worker-process.js';
import { writeLoopbackPolicyFile } from './loopback-policy.js';

export interface WorkerLaunch {
  /** host:port of the Temporal frontend. */
  address: string;
  namespace?: string;
  /** Base64 of the 32-byte payload key the worker and the test's client share. */
  codecKey: string;
  credentialsDir: string;
  /** The worker policy's secretsDir (the loopback policy is written into it as worker-policy.json). */
  secretsDir: string;
  /** The spec's secret references (fixtures.secretEnv). */
  secrets: NodeJS.ProcessEnv;
  httpTimeoutMs?: number;
  httpWriteTimeoutMs?: number;
}

/** A fresh payload key and the codec for the test's own client. */
export function sharedCodec(): { codecKey: string; codec: AesGcmCodec } {
  const key = randomBytes(32);
  return { codecKey: key.toString('base64'), codec: new AesGcmCodec(keyRingFromKeys(key)) };
}

export function workerEnv(launch: WorkerLaunch): NodeJS.ProcessEnv {
  // The parent's own Temporal settings (profiles, API keys) must not leak into the worker.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_') && !name.startsWith('G2P_')),
  );
  return {
    ...inherited,
    ...launch.secrets,
    TEMPORAL_ADDRESS: launch.address,
    TEMPORAL_NAMESPACE: launch.namespace ?? 'default',
    G2P_ONBOARD_CODEC_KEYS: 'env:G2P_TEST_CODEC_KEY',
    G2P_TEST_CODEC_KEY: launch.codecKey,
    G2P_ONBOARD_CREDENTIALS_DIR: launch.credentialsDir,
    G2P_ONBOARD_POLICY: policyFileFor(launch),
    ...(launch.httpTimeoutMs ? { G2P_TEST_HTTP_TIMEOUT_MS: String(launch.httpTimeoutMs) } : {}),
    ...(launch.httpWriteTimeoutMs ? { G2P_TEST_HTTP_WRITE_TIMEOUT_MS: String(launch.httpWriteTimeoutMs) } : {}),
  };
}

/** Where the launch's loopback policy is written: the secrets folder's root, which no spec reads (only `<deploymentId>/` below it). */
function policyFileFor(launch: WorkerLaunch): string {
  return join(launch.secretsDir, 'worker-policy.json');
}

export async function startWorkerProcess(launch: WorkerLaunch, name = 'worker'): Promise<ManagedProcess> {
  await writeLoopbackPolicyFile(policyFileFor(launch), launch.secretsDir);
  return startProcess(name, process.execPath, [workerProcessScript()], {
    env: workerEnv(launch),
    readyLine: WORKER_READY_LINE,
    timeoutMs: 60_000,
  });
}
