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
//
// `--cluster` runs it on the production topology instead (scripts/cluster/): PostgreSQL, the four
// Temporal services as their own processes, two workers of which a random one is killed each
// time; the history service, the frontend and PostgreSQL are each restarted once, and the JSON
// adds `serviceRestarts`. A few runs are held at the approval to the end, where the visibility
// commands (`list --pending-approval`, `--approver`, `--deployment`) are checked against them.
import { randomBytes } from 'node:crypto';
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
import { Cluster } from './cluster/cluster.js';
import { checkListing } from './soak/visibility.js';
import { startCodecServer } from '../src/security/codec-server.js';
import { CodecAccess } from '../src/security/codec-server-auth.js';

const USAGE = `usage: npm run soak -- [options]
  --runs N              onboarding runs in parallel [50]
  --fault-rate F        probability of a fault on any sandbox request [0.2]
  --kill-every S-T      SIGKILL the worker every S to T seconds, at random [20-60]
  --http-timeout-ms N   worker's read timeout; writes get 1.7× [3000]
  --max-minutes N       give up after this long [60]
  --lifecycle           then update, rotate-key, rotate-credentials and offboard each deployment, one after another
  --keep                keep the temporary directory (Temporal SQLite file, credential store)
  --cluster             on the cluster (npm run cluster's topology, own ports and data): two workers,
                        history, frontend and PostgreSQL restarted once each, visibility checked`;

/** The soak's cluster keeps clear of one `npm run cluster` may be running (offset 0). */
const SOAK_CLUSTER_PORT_OFFSET = 20_000;
/** Runs left waiting for approval until the end, for the visibility checks. */
const HELD_RUNS = 5;
type ClusterRestart = 'history' | 'frontend' | 'postgres';

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
  /**
   * An approval was sent at least once: the run is alice's even when the answer was lost and a
   * second try was refused as her second decision (then `approved` stays false).
   */
  approvalSent: boolean;
  /** Held at the approval until the visibility checks (cluster soak). */
  held: boolean;
  parked: boolean;
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
      cluster: { type: 'boolean' },
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
  const onCluster = values.cluster ?? false;
  const clusterDir = join(projectRoot, '.data', 'soak-cluster');
  if (onCluster) await rm(clusterDir, { recursive: true, force: true });
  const cluster = onCluster
    ? await Cluster.start({
        dir: clusterDir,
        portOffset: SOAK_CLUSTER_PORT_OFFSET,
        log: (line) => log(`cluster: ${line}`),
      })
    : undefined;
  let server: DevServer | undefined = cluster ? undefined : await startDevServer({ dbFile, ui: false });
  const address = cluster?.address ?? server!.address;
  const port = Number(address.split(':').at(-1));
  const sandbox = await startSandboxProcess({ secretsDir: join(dir, 'sandbox-secrets'), faultRate, cwd: projectRoot });
  // The fixtures need only the sandbox's URLs and credentials; partner users go through its control API.
  const view = { urls: sandbox.urls, credentials: sandbox.credentials } as Sandbox;
  const { codecKey, codec } = sharedCodec();
  const launch: WorkerLaunch = {
    address,
    codecKey,
    credentialsDir: join(dir, 'credentials'),
    secretsDir: dir,
    secrets: secretEnv(view),
    httpTimeoutMs,
    httpWriteTimeoutMs: Math.round(httpTimeoutMs * 1.7),
  };
  // Two workers on the cluster, one on the dev server; a kill takes one at random.
  const workers: ManagedProcess[] = [];
  for (let i = 0; i < (cluster ? 2 : 1); i++) workers.push(await startWorkerProcess(launch, `worker-${i + 1}`));
  const connect = async () =>
    new Client({
      connection: await Connection.connect({ address }),
      dataConverter: dataConverterFor(codec),
    });
  let client = await connect();
  let workerKills = 0;
  let serverRestarts = 0;
  const serviceRestarts: Record<ClusterRestart, number> = { history: 0, frontend: 0, postgres: 0 };
  log(
    `Temporal ${address}${cluster ? ' (cluster)' : ''}, sandbox ${sandbox.urls.control} (fault rate ${faultRate}), ${runCount} runs, a worker killed every ${killMinS}-${killMaxS} s`,
  );

  // The CLI reaches the payloads through a codec server with a token, as a person's does.
  const codecToken = randomBytes(32).toString('base64url');
  const codecServer = cluster
    ? await startCodecServer({
        codec,
        access: new CodecAccess([{ label: 'soak-cli', token: codecToken }]),
        allowedOrigins: [],
      })
    : undefined;
  const cliEnv: NodeJS.ProcessEnv = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_') && !k.startsWith('G2P_')),
    ),
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_CODEC_ENDPOINT: codecServer?.url,
    TEMPORAL_CODEC_AUTH: `Bearer ${codecToken}`,
  };
  /** The three visibility listings against what the soak knows: held runs pending, the rest approved by alice. */
  const checkVisibility = async (when: 'before' | 'after'): Promise<Record<string, string>> => {
    const held = runs.filter((r) => r.held);
    const approved = runs.filter((r) => r.approvalSent);
    const sample = runs.find((r) => !r.held && r.state === 'completed') ?? runs[0]!;
    const ids = (list: Run[], state?: string) => new Map(list.map((r) => [r.handle.workflowId, state]));
    const results: Record<string, string> = {};
    if (when === 'before') {
      results.pendingApproval = await checkListing(
        cliEnv,
        ['--pending-approval'],
        ids(held, 'running (awaitApproval)'),
      );
      results.deployment = await checkListing(
        cliEnv,
        ['--deployment', sample.deployment.deploymentId],
        ids([sample], sample.state === 'completed' ? 'completed' : undefined),
      );
    } else {
      results.pendingApprovalAfter = await checkListing(cliEnv, ['--pending-approval'], new Map());
      // `list` shows at most 200 rows.
      if (approved.length <= 200)
        results.approver = await checkListing(
          cliEnv,
          ['--approver', 'alice'],
          new Map(approved.map((r) => [r.handle.workflowId, r.state === 'completed' ? 'completed' : undefined])),
        );
    }
    for (const [name, outcome] of Object.entries(results)) log(`visibility ${name}: ${outcome}`);
    return results;
  };

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
      approvalSent: false,
      held: cluster !== undefined && i > runCount - Math.min(HELD_RUNS, Math.floor(runCount / 4)),
      parked: false,
      state: 'running',
    });
  }
  let releaseHeld = false;
  const settled = () => runs.every((r) => r.state !== 'running' || (r.held && r.parked && !releaseHeld));
  const allDone = () => runs.every((r) => r.state !== 'running');

  const restartWorker = (index: number) =>
    serial.run(async () => {
      workers[index] = await startWorkerProcess(launch, `worker-${index + 1}`);
    });
  const killer = (async () => {
    while (!allDone() && Date.now() < deadline) {
      const killAt = Date.now() + (killMinS + Math.random() * (killMaxS - killMinS)) * 1000;
      while (Date.now() < killAt && !allDone()) await sleep(500);
      if (allDone()) break;
      await serial.run(async () => {
        const index = Math.floor(Math.random() * workers.length);
        const dying = workers[index]!;
        dying.kill('SIGKILL');
        if (dying.child.exitCode === null && dying.child.signalCode === null)
          await new Promise((r) => dying.child.once('exit', r));
        workerKills += 1;
        workers[index] = await startWorkerProcess(launch, `worker-${index + 1}`);
        log(`worker-${index + 1} killed (${workerKills}) and restarted`);
      });
    }
  })();

  const restartServer = () =>
    serial.run(async () => {
      await client.connection.close().catch(() => undefined);
      await server!.stop();
      server = await startDevServer({ dbFile, ui: false, port });
      client = await connect();
      serverRestarts += 1;
      log('Temporal server restarted on the same SQLite file');
    });

  /** One part of the cluster down and up again while the runs go on; the client reconnects after the frontend's. */
  const restartClusterPart = (part: ClusterRestart) =>
    serial.run(async () => {
      const started = Date.now();
      if (part === 'postgres') await cluster!.restartPostgres(2_000);
      else {
        await cluster!.stopService(part);
        await sleep(2_000);
        await cluster!.startService(part);
      }
      if (part === 'frontend') {
        await client.connection.close().catch(() => undefined);
        client = await connect();
      }
      serviceRestarts[part] += 1;
      log(`${part} restarted (down ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    });
  // Each at a quarter more of the runs approved (or, if approvals stall, a few minutes in).
  const clusterPlan: { part: ClusterRestart; approvedShare: number; afterMs: number }[] = [
    { part: 'history', approvedShare: 0.25, afterMs: 90_000 },
    { part: 'frontend', approvedShare: 0.5, afterMs: 180_000 },
    { part: 'postgres', approvedShare: 0.75, afterMs: 270_000 },
  ];

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
    } else if (status.phase === 'awaiting_approval' && run.held && !releaseHeld) {
      run.parked = true;
    } else if (status.phase === 'awaiting_approval' && !run.approved) {
      run.approvalSent = true;
      await within(10_000, () => approveAs(handle, 'alice', 'soak'));
      run.approved = true;
    }
  };

  let lastReport = 0;
  const visibility: Record<string, string> = {};
  for (;;) {
    if (settled() && !releaseHeld) {
      if (cluster) {
        // The held runs wait at the approval; everything else has ended.
        Object.assign(visibility, await checkVisibility('before'));
        releaseHeld = true;
        continue;
      }
      break;
    }
    if (allDone() || Date.now() > deadline) break;
    for (const [index, worker] of workers.entries())
      if (worker.child.exitCode !== null && !worker.child.signalCode) {
        log(`worker-${index + 1} exited on its own (${worker.child.exitCode}); restarting`);
        await restartWorker(index);
      }
    const approvedShare = runs.filter((r) => r.approved).length / runCount;
    if (cluster) {
      const next = clusterPlan.find((p) => serviceRestarts[p.part] === 0);
      if (next && (approvedShare >= next.approvedShare || Date.now() - startedAt > next.afterMs))
        await restartClusterPart(next.part);
    } else if (serverRestarts === 0 && (approvedShare >= 0.5 || Date.now() - startedAt > 120_000))
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

  if (cluster && allDone()) Object.assign(visibility, await checkVisibility('after'));
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
  for (const worker of workers) await worker.stop(5_000);
  await client.connection.close().catch(() => undefined);
  await codecServer?.close();
  await server?.stop();
  await cluster?.stop();
  await sandbox.process.stop();
  if (values.keep) log(`kept ${dir}${cluster ? ` and ${clusterDir}` : ''}`);
  else {
    await rm(dir, { recursive: true, force: true });
    if (cluster) await rm(clusterDir, { recursive: true, force: true });
  }

  const summary = {
    runs: runCount,
    completed: runs.filter((r) => r.state === 'completed').length,
    blocked: runs.filter((r) => r.state === 'blocked').length,
    duplicates: report.duplicates,
    workerKills,
    serverRestarts,
    ...(cluster ? { workers: workers.length, serviceRestarts, visibility } : {}),
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
  const visibilityOk = Object.values(visibility).every((v) => v === 'ok');
  process.exitCode =
    summary.completed === runCount && summary.duplicates === 0 && summary.missing === 0 && lifecycleOk && visibilityOk
      ? 0
      : 1;
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
