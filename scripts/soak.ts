// `npm run soak -- --runs N --fault-rate F`: N onboarding runs in parallel against the sandbox
// (its own process) with a fault on a fraction F of all requests, the worker killed with
// SIGKILL at random intervals and restarted, and the Temporal server restarted once. Each run
// is approved when it waits. At the end it counts, from the sandbox's own records, everything
// created more than once. The last line is one JSON object:
// {"runs":50,"completed":50,"blocked":0,"duplicates":0,"workerKills":7,"serverRestarts":1,"wallSeconds":…}
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { startDevServer, type DevServer } from './temporal/dev-server.js';
import { projectRoot } from '../src/project-root.js';
import { dataConverterFor } from '../src/security/data-converter.js';
import { validateSpec } from '../src/spec/load.js';
import type { Sandbox } from '../sandbox/index.js';
import { startOnboarding } from '../src/cli/runs.js';
import { statusQuery, type OnboardingResult } from '../src/workflows/messages.js';
import { sandboxSpecInput, secretEnv } from '../test/helpers/fixtures.js';
import { approveAs } from '../test/helpers/approve.js';
import { sharedCodec, startWorkerProcess, type WorkerLaunch } from '../test/helpers/worker-launch.js';
import type { ManagedProcess } from './processes.js';
import { startSandboxProcess } from './soak/sandbox-process.js';
import { findDuplicates, type SoakDeployment } from './soak/duplicates.js';
import { signer } from '../test/helpers/identities.js';

const USAGE = `usage: npm run soak -- [options]
  --runs N              onboarding runs in parallel [50]
  --fault-rate F        probability of a fault on any sandbox request [0.2]
  --kill-every S-T      SIGKILL the worker every S to T seconds, at random [20-60]
  --http-timeout-ms N   worker's read timeout; writes get 1.7× [3000]
  --max-minutes N       give up after this long [60]
  --keep                keep the temporary directory (Temporal SQLite file, credential store)`;

interface Run {
  deployment: SoakDeployment;
  handle: WorkflowHandle;
  approved: boolean;
  state: 'running' | 'completed' | 'blocked' | 'ended';
  detail?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** One infrastructure change at a time: a worker restart and the server restart never overlap. */
class Serial {
  private chain: Promise<unknown> = Promise.resolve();
  run<T>(body: () => Promise<T>): Promise<T> {
    const next = this.chain.then(body);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      'fault-rate': { type: 'string' },
      'kill-every': { type: 'string' },
      'http-timeout-ms': { type: 'string' },
      'max-minutes': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(USAGE);
  const runCount = Number(values.runs ?? 50);
  const faultRate = Number(values['fault-rate'] ?? 0.2);
  const [killMinS, killMaxS] = (values['kill-every'] ?? '20-60').split('-').map(Number) as [number, number];
  const httpTimeoutMs = Number(values['http-timeout-ms'] ?? 3000);
  const deadline = Date.now() + Number(values['max-minutes'] ?? 60) * 60_000;
  if (!(runCount >= 1 && faultRate >= 0 && faultRate <= 1 && killMinS > 0 && killMaxS >= killMinS && httpTimeoutMs > 0))
    throw new Error(USAGE);

  process.chdir(projectRoot);
  const startedAt = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'g2p-soak-'));
  const dbFile = join(dir, 'temporal', 'temporal.db');
  const serial = new Serial();
  let server: DevServer = await startDevServer({ dbFile, ui: false });
  const port = Number(server.address.split(':').at(-1));
  const sandbox = await startSandboxProcess({ secretsDir: join(dir, 'sandbox-secrets'), faultRate, cwd: projectRoot });
  // The fixtures need only the sandbox's URLs and credentials; partner users go through its control API.
  const view = { urls: sandbox.urls, credentials: sandbox.credentials } as Sandbox;
  const { codecKey, codec } = sharedCodec();
  const launch: WorkerLaunch = {
    address: server.address,
    codecKey,
    credentialsDir: join(dir, 'credentials'),
    secretsDir: dir,
    secrets: secretEnv(view),
    httpTimeoutMs,
    httpWriteTimeoutMs: Math.round(httpTimeoutMs * 1.7),
  };
  let worker: ManagedProcess = await startWorkerProcess(launch);
  const connect = async () =>
    new Client({
      connection: await Connection.connect({ address: server.address }),
      dataConverter: dataConverterFor(codec),
    });
  let client = await connect();
  let workerKills = 0;
  let serverRestarts = 0;
  log(
    `Temporal ${server.address}, sandbox ${sandbox.urls.control} (fault rate ${faultRate}), ${runCount} runs, worker killed every ${killMinS}-${killMaxS} s`,
  );

  const runs: Run[] = [];
  for (let i = 1; i <= runCount; i++) {
    const id = `soak-${String(i).padStart(3, '0')}`;
    const spec = validateSpec(sandboxSpecInput(view, id), `soak spec ${id}`);
    await sandbox.control.addPartnerUser(spec.partners.auth.id);
    const deployment: SoakDeployment = {
      deploymentId: id,
      authPartnerId: spec.partners.auth.id,
      mispPartnerId: spec.partners.misp.id,
      policy: spec.partners.auth.policy,
      providerName: spec.openg2p.provider.name,
      completed: false,
    };
    runs.push({
      deployment,
      handle: await startOnboarding(client, spec, signer('soak')),
      approved: false,
      state: 'running',
    });
  }
  const settled = () => runs.every((r) => r.state !== 'running');

  const restartWorker = () =>
    serial.run(async () => {
      worker = await startWorkerProcess(launch);
    });
  const killer = (async () => {
    while (!settled() && Date.now() < deadline) {
      const killAt = Date.now() + (killMinS + Math.random() * (killMaxS - killMinS)) * 1000;
      while (Date.now() < killAt && !settled()) await sleep(500);
      if (settled()) break;
      await serial.run(async () => {
        const dying = worker;
        dying.kill('SIGKILL');
        if (dying.child.exitCode === null && dying.child.signalCode === null)
          await new Promise((r) => dying.child.once('exit', r));
        workerKills += 1;
        worker = await startWorkerProcess(launch);
        log(`worker killed (${workerKills}) and restarted`);
      });
    }
  })();

  const restartServer = () =>
    serial.run(async () => {
      await client.connection.close().catch(() => undefined);
      await server.stop();
      server = await startDevServer({ dbFile, ui: false, port });
      client = await connect();
      serverRestarts += 1;
      log('Temporal server restarted on the same SQLite file');
    });

  /** One look at a run: record its end, or approve it if it waits. Calls give up after a few seconds (worker or server away). */
  const visit = async (run: Run) => {
    const handle = client.workflow.getHandle(run.handle.workflowId);
    const within = <T>(ms: number, call: () => Promise<T>) => client.connection.withDeadline(Date.now() + ms, call);
    const description = await within(5_000, () => handle.describe());
    if (description.status.name !== 'RUNNING') {
      const result = (await within(5_000, () => handle.result()).catch((err: Error) => err)) as
        OnboardingResult | Error;
      run.state = !(result instanceof Error) && result.outcome === 'completed' ? 'completed' : 'ended';
      run.detail = result instanceof Error ? result.message : result.outcome;
      run.deployment.completed = run.state === 'completed';
      if (!(result instanceof Error)) run.deployment.oidcClientId = result.ids.oidcClientId;
      return;
    }
    const status = await within(5_000, () => handle.query(statusQuery));
    if (status.phase === 'blocked') {
      run.state = 'blocked';
      run.detail = `${status.lastError?.step}: ${status.lastError?.type} ${status.lastError?.code ?? ''} ${status.lastError?.message}`;
    } else if (status.phase === 'awaiting_approval' && !run.approved) {
      await within(10_000, () => approveAs(handle, 'alice', 'soak'));
      run.approved = true;
    }
  };

  let lastReport = 0;
  while (!settled() && Date.now() < deadline) {
    if (worker.child.exitCode !== null && !worker.child.signalCode) {
      log(`worker exited on its own (${worker.child.exitCode}); restarting`);
      await restartWorker();
    }
    if (
      serverRestarts === 0 &&
      (runs.filter((r) => r.approved).length >= runCount / 2 || Date.now() - startedAt > 120_000)
    )
      await restartServer();
    await serial.run(() =>
      Promise.all(runs.filter((r) => r.state === 'running').map((r) => visit(r).catch(() => undefined))),
    );
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      const by = (s: Run['state']) => runs.filter((r) => r.state === s).length;
      log(
        `${by('completed')} completed, ${by('blocked')} blocked, ${by('ended')} ended otherwise, ${by('running')} running (${runs.filter((r) => r.approved).length} approved)`,
      );
    }
    await sleep(1_000);
  }

  const counts = await sandbox.control.counts();
  const faultsInjected = await sandbox.control.faultsInjected();
  const report = findDuplicates(
    runs.map((r) => r.deployment),
    counts,
  );
  for (const run of runs.filter((r) => r.state !== 'completed')) {
    log(`${run.deployment.deploymentId} ${run.state}: ${run.detail ?? 'still running at the deadline'}`);
    await run.handle.terminate('soak finished').catch(() => undefined);
  }
  for (const line of report.details) log(line);
  await killer.catch(() => undefined);
  await worker.stop(5_000);
  await client.connection.close().catch(() => undefined);
  await server.stop();
  await sandbox.process.stop();
  if (values.keep) log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });

  const summary = {
    runs: runCount,
    completed: runs.filter((r) => r.state === 'completed').length,
    blocked: runs.filter((r) => r.state === 'blocked').length,
    duplicates: report.duplicates,
    workerKills,
    serverRestarts,
    wallSeconds: Math.round((Date.now() - startedAt) / 1000),
    faultRate,
    faultsInjected,
    missing: report.missing,
    apiKeysReissued: report.apiKeysReissued,
    unfinished: runs.filter((r) => r.state === 'running' || r.state === 'ended').length,
  };
  console.log(JSON.stringify(summary));
  process.exitCode = summary.completed === runCount && summary.duplicates === 0 && summary.missing === 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(`soak: ${(err as Error).stack ?? err}`);
  process.exit(2);
});
