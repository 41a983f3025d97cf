// `npm run soak -- --runs N --fault-rate F`: N onboarding runs in parallel against the sandbox
// (its own process) with a fault on a fraction F of all requests, the worker killed with
// SIGKILL at random intervals and restarted, and the Temporal server restarted once. Each run
// is approved when it waits. At the end it counts, from the sandbox's own records, everything
// created more than once. The last line is one JSON object:
// {"runs":50,"completed":50,"blocked":0,"duplicates":0,"workerKills":7,"serverRestarts":1,"wallSeconds":…}
// With --lifecycle each deployment then goes through its day-two operations — update, rotate-key,
// rotate-credentials, offboard (approved) — one after another under the same faults and kills; the
// line adds activeClientsPerDeployment (ACTIVE e-Signet clients of a deployment after each
// operation: 1 until offboarding, 0 after) and orphans (anything left switched on that no live
// deployment owns).
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
import { startLifecycle } from '../src/cli/lifecycle.js';
import type { DeploymentSpec } from '../src/spec/schema.js';
import type { LifecycleOperation, LifecycleResult } from '../src/workflows/lifecycle/messages.js';
import { statusQuery, type OnboardingResult } from '../src/workflows/messages.js';
import { sandboxSpecInput, secretEnv } from '../test/helpers/fixtures.js';
import { approveAs } from '../test/helpers/approve.js';
import { sharedCodec, startWorkerProcess, type WorkerLaunch } from '../test/helpers/worker-launch.js';
import type { ManagedProcess } from './processes.js';
import { startSandboxProcess, type SandboxActive } from './soak/sandbox-process.js';
import { findDuplicates, type SoakDeployment } from './soak/duplicates.js';
import { signer } from '../test/helpers/identities.js';

const USAGE = `usage: npm run soak -- [options]
  --runs N              onboarding runs in parallel [50]
  --fault-rate F        probability of a fault on any sandbox request [0.2]
  --kill-every S-T      SIGKILL the worker every S to T seconds, at random [20-60]
  --http-timeout-ms N   worker's read timeout; writes get 1.7× [3000]
  --max-minutes N       give up after this long [60]
  --lifecycle           then update, rotate-key, rotate-credentials and offboard each deployment, one after another
  --keep                keep the temporary directory (Temporal SQLite file, credential store)`;

/** The day-two operations each deployment goes through after onboarding, in order. */
const LIFECYCLE_STAGES: LifecycleOperation[] = ['update', 'rotate-key', 'rotate-credentials', 'offboard'];

interface Run {
  deployment: SoakDeployment;
  spec: DeploymentSpec;
  /** Operations still to go (--lifecycle); the run is done when none is left. */
  stages: LifecycleOperation[];
  /** The operation under way; undefined while onboarding. */
  operation?: LifecycleOperation;
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
      lifecycle: { type: 'boolean' },
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
  /** ACTIVE clients of a deployment, counted after each of its runs: [until offboarding, after]. */
  const activeClients: [number[], number[]] = [[], []];
  const countActiveClients = async (run: Run) => {
    const active = await sandbox.control.active();
    const n = active.oidcClients.filter((c) => c.relyingPartyId === run.deployment.authPartnerId).length;
    activeClients[run.deployment.offboarded ? 1 : 0].push(n);
  };
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
      spec,
      stages: values.lifecycle ? [...LIFECYCLE_STAGES] : [],
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
        OnboardingResult | LifecycleResult | Error;
      const completed = !(result instanceof Error) && result.outcome === 'completed';
      run.detail = `${run.operation ?? 'onboarding'}: ${result instanceof Error ? result.message : result.outcome}`;
      if (!run.operation && !(result instanceof Error)) run.deployment.oidcClientId = result.ids.oidcClientId;
      if (completed && run.operation === 'rotate-credentials') {
        run.deployment.apiKeysRotated = 1;
        run.deployment.licensesRenewed = 1;
      }
      if (completed && run.operation === 'offboard') run.deployment.offboarded = true;
      if (completed && values.lifecycle) await countActiveClients(run);
      const next = completed ? run.stages.shift() : undefined;
      if (next) {
        // The next day-two operation, on the spec the deployment has now.
        run.operation = next;
        run.approved = false;
        const current = result instanceof Error ? run.spec : result.spec;
        // The update changes what a deployment would: its logo and one more redirect URI.
        const spec: DeploymentSpec =
          next === 'update'
            ? {
                ...current,
                oidcClient: {
                  ...current.oidcClient,
                  logoUri: 'https://openg2p.org/logo-2.png',
                  extraRedirectUris: [`${current.openg2p.url}/portal/callback`],
                },
              }
            : current;
        run.handle = await within(10_000, () =>
          startLifecycle(client, next, spec, signer('soak'), { comment: 'soak' }),
        );
        return;
      }
      run.state = completed ? 'completed' : 'ended';
      run.deployment.completed = run.state === 'completed';
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
  const orphans = values.lifecycle ? findOrphans(runs, await sandbox.control.active()) : undefined;
  for (const line of orphans?.details ?? []) log(line);
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
    ...(values.lifecycle
      ? {
          operations: LIFECYCLE_STAGES,
          offboarded: runs.filter((r) => r.deployment.offboarded).length,
          activeClientsPerDeployment: {
            untilOffboarding: range(activeClients[0]),
            afterOffboarding: range(activeClients[1]),
          },
          orphans: orphans!.count,
        }
      : {}),
  };
  console.log(JSON.stringify(summary));
  const lifecycleOk =
    !values.lifecycle ||
    (orphans!.count === 0 && activeClients[0].every((n) => n === 1) && activeClients[1].every((n) => n === 0));
  process.exitCode =
    summary.completed === runCount && summary.duplicates === 0 && summary.missing === 0 && lifecycleOk ? 0 : 1;
}

/** min and max of the samples, with how many there were. */
function range(samples: number[]): { min: number | null; max: number | null; samples: number } {
  return {
    min: samples.length ? Math.min(...samples) : null,
    max: samples.length ? Math.max(...samples) : null,
    samples: samples.length,
  };
}

/**
 * Anything switched on that no live deployment owns: every record of an offboarded deployment
 * still on, and, of one that is not, an ACTIVE client OpenG2P does not use or a second active key.
 */
function findOrphans(runs: Run[], active: SandboxActive): { count: number; details: string[] } {
  const details: string[] = [];
  for (const { deployment: d } of runs) {
    const clients = active.oidcClients.filter((c) => c.relyingPartyId === d.authPartnerId);
    const keys = active.apiKeys.filter((k) => k.partnerId === d.authPartnerId);
    const licenses = active.mispLicenses.filter((l) => l.mispId === d.mispPartnerId);
    const providers = active.providers.filter((p) => p.name === d.providerName);
    if (d.offboarded) {
      for (const c of clients) details.push(`${d.deploymentId}: client ${c.clientId} ACTIVE after offboarding`);
      for (const k of keys) details.push(`${d.deploymentId}: API key ${k.label} active after offboarding`);
      if (licenses.length)
        details.push(`${d.deploymentId}: ${licenses.length} MISP license(s) active after offboarding`);
      for (const p of [d.authPartnerId, d.mispPartnerId])
        if (active.partners.includes(p)) details.push(`${d.deploymentId}: partner ${p} active after offboarding`);
      if (providers.length) details.push(`${d.deploymentId}: OpenG2P provider enabled after offboarding`);
    } else {
      const used = new Set(providers.map((p) => p.clientId));
      for (const c of clients.filter((c) => !used.has(c.clientId)))
        details.push(`${d.deploymentId}: client ${c.clientId} ACTIVE but not OpenG2P's`);
      if (keys.length > 1) details.push(`${d.deploymentId}: ${keys.length} active API keys`);
      if (licenses.length > 1) details.push(`${d.deploymentId}: ${licenses.length} active MISP licenses`);
    }
  }
  return { count: details.length, details };
}

main().catch((err) => {
  console.error(`soak: ${(err as Error).stack ?? err}`);
  process.exit(2);
});
