// What a benchmark section runs against: a Temporal dev server (in memory), the sandbox as
// its own process with a fixed per-call latency, and the real worker (`dist/src/worker.js`)
// as its own process — so each one's memory is its own and start-up is measured as users see it.
// This process holds the key ring as the worker side does: its own clients use it directly (their
// figures are Temporal's, not the codec server's), and it serves the codec server the CLI goes through.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Sandbox } from '../../sandbox/index.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { loadCodec } from '../../src/security/codec-keys.js';
import { workerConfigFrom } from '../../src/config/worker.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { CodecAccess } from '../../src/security/codec-server-auth.js';
import { startCodecServer } from '../../src/security/codec-server.js';
import { sandboxSpec, secretEnv } from '../../test/helpers/fixtures.js';
import type { DeploymentSpec, DeploymentSpecInput } from '../../src/spec/schema.js';
import { startProcess, WORKER_LAUNCHER, type ManagedProcess } from '../processes.js';
import type { CallRecord, HostReply, HostRequest } from './sandbox-host.js';
import { certificateIssuer, type CertificateIssuer } from './certificates.js';
import { writeLoopbackPolicyFile } from '../../test/helpers/loopback-policy.js';

export interface Temporal {
  server: DevServer;
  client: Client;
  /** Environment that points a worker at this server with the bench's codec key. */
  env: NodeJS.ProcessEnv;
  /** Environment for the CLI: this server and the bench's codec server with a token; no key ring. */
  cliEnv: NodeJS.ProcessEnv;
  workDir: string;
  /** The worker policy's secretsDir: specs' files live in `<secretsDir>/<deploymentId>/`. */
  secretsDir: string;
  stop(): Promise<void>;
}

/** The parent's environment without Temporal or g2p-onboard settings meant for another setup. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_') && !k.startsWith('G2P_ONBOARD_')),
  );
}

/** A dev server in memory, or `existing` (the cluster: its owner stops it). */
export async function startTemporal(existing?: DevServer): Promise<Temporal> {
  const workDir = await mkdtemp(join(tmpdir(), 'g2p-onboard-bench-'));
  await writeFile(join(workDir, 'codec-keys'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const secretsDir = join(workDir, 'secrets');
  const server = existing ?? (await startDevServer({ ui: false }));
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    G2P_ONBOARD_CODEC_KEYS: `file:${join(workDir, 'codec-keys')}`,
    // Loopback hosts and the fixture people (the bench signs as them from this process).
    G2P_ONBOARD_POLICY: await writeLoopbackPolicyFile(join(workDir, 'worker-policy.json'), secretsDir),
  };
  const workerConfig = workerConfigFrom(env);
  const codec = await loadCodec(workerConfig.codecKeysRef, workerConfig.secrets);
  const codecToken = randomBytes(32).toString('base64url');
  await writeFile(join(workDir, 'codec-server-token'), `bench-cli ${codecToken}\n`, { mode: 0o600 });
  const codecServer = await startCodecServer({
    codec,
    access: new CodecAccess([{ label: 'bench-cli', token: codecToken }]),
    allowedOrigins: [],
  });
  const cliEnv: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_CODEC_ENDPOINT: codecServer.url,
    G2P_ONBOARD_CODEC_SERVER_TOKEN: `file:${join(workDir, 'codec-server-token')}`,
  };
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(codec) });
  return {
    server,
    client,
    env,
    cliEnv,
    workDir,
    secretsDir,
    stop: async () => {
      await connection.close().catch(() => undefined);
      await codecServer.close();
      await server.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;

export interface RemoteSandbox {
  pid: number;
  /** Enough of a Sandbox for the test fixtures (urls, credentials, addPartnerUser). */
  view: Sandbox;
  /** A spec for `deploymentId` whose partner login exists in the sandbox. */
  spec(deploymentId: string, change?: (s: DeploymentSpecInput) => void): Promise<DeploymentSpec>;
  configure(settings: SandboxSettings): Promise<void>;
  calls(): Promise<CallRecord[]>;
  clearCalls(): Promise<void>;
  stop(): Promise<void>;
}

export interface SandboxSettings {
  /** Added before every request to MOSIP, e-Signet and OpenG2P. */
  latencyMs?: number;
  /** The sandbox's Partner Admin approves each new mapping in the "portal" after this long; null = never. */
  autoApproveMs?: number | null;
}

export async function startSandboxHost(settings: SandboxSettings): Promise<RemoteSandbox> {
  const env: NodeJS.ProcessEnv = cleanEnv();
  const child: ChildProcess = fork(join(import.meta.dirname, 'sandbox-host.js'), [], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const waiting = new Map<number, (value: unknown) => void>();
  let seq = 0;
  const ready = new Promise<Extract<HostReply, { type: 'ready' }>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench sandbox exited (${code}) before it was ready`)));
    child.on('message', (msg: HostReply) => {
      if (msg.type === 'ready') resolve(msg);
      else waiting.get(msg.seq)?.(msg.value);
    });
  });
  const ask = <T>(request: WithoutSeq<HostRequest>): Promise<T> =>
    new Promise((resolve) => {
      const id = ++seq;
      waiting.set(id, (value) => {
        waiting.delete(id);
        resolve(value as T);
      });
      child.send({ ...request, seq: id });
    });
  const { urls, credentials } = await ready;
  const pendingUsers: string[] = [];
  const view = { urls, credentials, addPartnerUser: (id: string) => pendingUsers.push(id) } as unknown as Sandbox;
  const configure = (settings: SandboxSettings) => ask<void>({ type: 'configure', ...settings });
  await configure(settings);
  return {
    pid: child.pid!,
    view,
    configure,
    spec: async (deploymentId, change) => {
      const spec = sandboxSpec(view, deploymentId, change);
      await ask({ type: 'addPartnerUsers', ids: pendingUsers.splice(0) });
      return spec;
    },
    calls: () => ask<CallRecord[]>({ type: 'requests' }),
    clearCalls: () => ask<void>({ type: 'clearRequests' }),
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface WorkerProcess {
  pid: number;
  /** Spawn → the worker's ready line (connected, workflow code loaded, about to poll). */
  readyMs: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface WorkerSettings {
  /** Where the worker looks for the prepared workflow bundle; a missing path makes it bundle at start. */
  workflowBundlePath?: string;
  /** Extra environment (tuning knobs). */
  env?: NodeJS.ProcessEnv;
}

let workers = 0;

/** The real worker entry point as a child process, with the sandbox's secrets in its environment. */
export async function startWorkerProcess(
  temporal: Temporal,
  sandbox: RemoteSandbox,
  settings: WorkerSettings = {},
): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...temporal.env,
    ...secretEnv(sandbox.view),
    G2P_ONBOARD_CREDENTIALS_DIR: join(temporal.workDir, `credentials-${++workers}`),
    NODE: process.execPath,
    ...settings.env,
  };
  if (settings.workflowBundlePath) env.G2P_ONBOARD_WORKFLOW_BUNDLE = settings.workflowBundlePath;
  const started = performance.now();
  // The launcher operators use, so the worker runs with the same memory settings.
  const worker = await startProcess('worker', WORKER_LAUNCHER, [], {
    env,
    cwd: temporal.workDir,
    // The line printed once Worker.create is done (the fallback's warning starts the same way).
    readyLine: /g2p-onboard worker: task queue/,
    timeoutMs: 60_000,
  });
  const readyMs = performance.now() - started;
  // Someone may rebuild the workflows mid-run: such a worker bundles at start, with other figures.
  if (!settings.workflowBundlePath && worker.output.some((line) => line.includes('bundling the workflows at start'))) {
    console.error(
      '  ! this worker found no fresh prepared bundle and bundled at start: its figures are not comparable',
    );
  }
  return { pid: worker.child.pid!, readyMs, process: worker, stop: () => worker.stop(15_000) };
}

/** A server, a sandbox and (once started) the one worker, stopped together. */
export interface Stack {
  temporal: Temporal;
  sandbox: RemoteSandbox;
  /** Partner certificates the specs bring; absent = the product generates them (--generate-certificates). */
  certificates?: CertificateIssuer;
  worker?: WorkerProcess;
  /** Starts the stack's worker (replacing a running one). */
  startWorker(settings?: WorkerSettings): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

export interface StackSettings {
  latencyMs: number;
  /** Run against this server instead of a fresh dev server (the cluster benchmark). */
  server?: DevServer;
  workerEnv?: NodeJS.ProcessEnv;
  generateCertificates?: boolean;
}

export async function startStack(settings: StackSettings): Promise<Stack> {
  const temporal = await startTemporal(settings.server);
  const sandbox = await startSandboxHost({ latencyMs: settings.latencyMs }).catch(async (err) => {
    await temporal.stop();
    throw err;
  });
  const workerEnv = settings.workerEnv ?? {};
  const stack: Stack = {
    temporal,
    sandbox,
    certificates: settings.generateCertificates ? undefined : await certificateIssuer(temporal.secretsDir),
    startWorker: async (settings) => {
      await stack.worker?.stop();
      stack.worker = await startWorkerProcess(temporal, sandbox, {
        ...settings,
        env: { ...workerEnv, ...settings?.env },
      });
      return stack.worker;
    },
    stop: async () => {
      await stack.worker?.stop().catch(() => undefined);
      await sandbox.stop().catch(() => undefined);
      await temporal.stop();
    },
  };
  return stack;
}
