// `npm run cluster`: the production topology on this machine, left running. A private
// PostgreSQL, the Temporal server built from its Go module (four services, each its own
// process, from deploy/temporal/config.yaml), the Temporal UI, the codec server and two
// onboarding workers (bin/g2p-onboard-worker). Prints the endpoints; the CLI reaches the
// cluster through the usual settings (TEMPORAL_ADDRESS). Verbs act on what it started, by pid:
//   --stop                        everything
//   --restart NAME                one part: history, matching, frontend, worker, postgres,
//                                 ui, codec-server, worker-1, worker-2 (the others keep running)
//   --stop-service / --start-service NAME   the same, in two steps
//   --status                      what runs, by pid
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/project-root.js';
import { DEFAULT_POLICY_FILE } from '../src/security/worker-policy.js';
import { SANDBOX_POLICY_FILE } from '../sandbox/identities.js';
import { Cluster, DEFAULT_CLUSTER_DIR } from './cluster/cluster.js';
import { isAlive, logPath, logSize, logTail, spawnDetached, waitReady } from './cluster/processes.js';
import {
  MAX_PORT_OFFSET,
  SERVER_SERVICES,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  type ServerService,
} from './cluster/topology.js';
import { postgresPid } from './cluster/postgres.js';
import { WORKER_LAUNCHER } from './processes.js';

const USAGE = `usage: npm run cluster -- [options]
  (no verb)              start PostgreSQL, Temporal (frontend, history, matching, worker), the UI,
                         the codec server and two onboarding workers; print the endpoints
  --stop                 stop everything it started (by pid)
  --restart NAME         restart one part: ${[...SERVER_SERVICES, 'postgres', 'ui', 'codec-server', 'worker-1', 'worker-2'].join(', ')}
  --stop-service NAME    stop one part; --start-service NAME starts it again
  --status               what runs, by pid
  --workers N            onboarding workers [2]
  --sandbox              also start the sandbox (MOSIP, e-Signet, OpenG2P stand-ins) and give the
                         workers its policy; the default when no worker policy is configured
  --headless             no Temporal UI
  --port-offset N        add N to every port (frontend 7233, UI 8233, codec server 8234, PostgreSQL 5433) [0]
  --dir DIR              where its data, logs and pids live [.data/cluster]`;

const { values } = parseArgs({
  options: {
    stop: { type: 'boolean' },
    restart: { type: 'string' },
    'stop-service': { type: 'string' },
    'start-service': { type: 'string' },
    status: { type: 'boolean' },
    workers: { type: 'string' },
    sandbox: { type: 'boolean' },
    headless: { type: 'boolean' },
    'port-offset': { type: 'string' },
    dir: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const dir = values.dir ? join(process.cwd(), values.dir) : DEFAULT_CLUSTER_DIR;
const log = (line: string) => console.log(`cluster: ${line}`);
const withoutTemporal = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));

function opened(): Cluster {
  const cluster = Cluster.open(dir, log);
  if (!cluster)
    throw new Error(`no cluster was started from ${relative(projectRoot, dir) || dir}: run npm run cluster first`);
  return cluster;
}

function workerPolicy(sandbox: boolean): string | undefined {
  if (sandbox) return SANDBOX_POLICY_FILE;
  return process.env.G2P_ONBOARD_POLICY;
}

async function startWorker(cluster: Cluster, name: string): Promise<void> {
  const logFile = logPath(cluster.dir, name);
  const from = logSize(logFile);
  const policy = cluster.state.workerPolicy;
  const record = spawnDetached(WORKER_LAUNCHER, [], {
    log: logFile,
    cwd: projectRoot,
    env: {
      ...withoutTemporal(),
      NODE: process.execPath,
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_UI_URL: `http://127.0.0.1:${cluster.ports.ui}`,
      ...(policy ? { G2P_ONBOARD_POLICY: policy } : {}),
    },
  });
  cluster.adopt(name, record);
  await waitReady(
    name,
    record,
    async () => logTail(logFile, 50, from).includes('g2p-onboard worker: task queue'),
    60_000,
    from,
  );
  log(`${name} pid ${record.pid}`);
}

async function startCodecServer(cluster: Cluster): Promise<void> {
  const logFile = logPath(cluster.dir, 'codec-server');
  const from = logSize(logFile);
  const ui = `${cluster.ports.ui}`;
  const record = spawnDetached(process.execPath, [join(projectRoot, 'dist', 'scripts', 'codec-server.js')], {
    log: logFile,
    cwd: projectRoot,
    env: {
      ...process.env,
      G2P_ONBOARD_CODEC_SERVER_PORT: String(cluster.ports.codecServer),
      G2P_ONBOARD_CODEC_SERVER_UI_ORIGINS: `http://127.0.0.1:${ui},http://localhost:${ui}`,
    },
  });
  cluster.adopt('codec-server', record);
  await waitReady(
    'codec server',
    record,
    async () => logTail(logFile, 50, from).includes('codec server:'),
    30_000,
    from,
  );
}

async function startSandbox(cluster: Cluster): Promise<void> {
  const logFile = logPath(cluster.dir, 'sandbox');
  const from = logSize(logFile);
  const record = spawnDetached(process.execPath, [join(projectRoot, 'dist', 'sandbox', 'main.js')], {
    log: logFile,
    cwd: projectRoot,
    env: process.env,
  });
  cluster.adopt('sandbox', record);
  await waitReady(
    'sandbox',
    record,
    async () => logTail(logFile, 50, from).includes('credentials written'),
    30_000,
    from,
  );
}

async function startPart(cluster: Cluster, name: string): Promise<void> {
  if ((SERVER_SERVICES as readonly string[]).includes(name)) return cluster.startService(name as ServerService);
  if (name === 'postgres') return cluster.restartPostgres();
  if (name === 'ui') return cluster.startUi(`http://127.0.0.1:${cluster.ports.codecServer}`);
  if (name === 'codec-server') return startCodecServer(cluster);
  if (name === 'sandbox') return startSandbox(cluster);
  if (/^worker-\d+$/.test(name)) return startWorker(cluster, name);
  throw new Error(
    `unknown part ${name}: one of ${[...SERVER_SERVICES, 'postgres', 'ui', 'codec-server', 'sandbox', 'worker-N'].join(', ')}`,
  );
}

async function stopPart(cluster: Cluster, name: string): Promise<void> {
  if ((SERVER_SERVICES as readonly string[]).includes(name)) return cluster.stopService(name as ServerService);
  if (name === 'postgres') throw new Error('postgres: use --restart postgres (the services need it)');
  return cluster.stopProcess(name);
}

function status(cluster: Cluster): void {
  console.log(`cluster in ${relative(projectRoot, cluster.dir) || cluster.dir}, frontend ${cluster.address}`);
  const pg = postgresPid(cluster.pg);
  console.log(`  ${'postgres'.padEnd(18)} ${pg ? `pid ${pg}` : 'stopped'}  127.0.0.1:${cluster.pg.port}`);
  for (const [name, record] of Object.entries(cluster.state.processes))
    console.log(
      `  ${name.padEnd(18)} ${isAlive(record) ? `pid ${record.pid}` : 'gone'}  ${relative(projectRoot, record.log)}`,
    );
}

async function start(): Promise<void> {
  const policyConfigured =
    process.env.G2P_ONBOARD_POLICY !== undefined || existsSync(join(projectRoot, DEFAULT_POLICY_FILE));
  const sandbox = values.sandbox || !policyConfigured;
  if (sandbox && !values.sandbox)
    log(
      'no worker policy configured (G2P_ONBOARD_POLICY, .data/worker-policy.yaml): starting the sandbox and using its policy',
    );
  const workers = Number(values.workers ?? 2);
  if (!(Number.isInteger(workers) && workers >= 0)) throw new Error('--workers: a whole number, e.g. 2');
  const portOffset = Number(values['port-offset'] ?? 0);
  if (!(Number.isInteger(portOffset) && portOffset >= 0 && portOffset <= MAX_PORT_OFFSET))
    throw new Error(
      `--port-offset: a whole number from 0 to ${MAX_PORT_OFFSET} (Temporal keeps membership ports below 32768)`,
    );
  log(
    `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL${values.headless ? '' : `, UI ${TEMPORAL_UI_VERSION}`}`,
  );
  const cluster = await Cluster.start({
    dir,
    portOffset,
    ui: false,
    log,
  });
  try {
    cluster.setWorkerPolicy(workerPolicy(sandbox));
    await startCodecServer(cluster);
    if (!values.headless) await cluster.startUi(`http://127.0.0.1:${cluster.ports.codecServer}`);
    if (sandbox) await startSandbox(cluster);
    for (let i = 1; i <= workers; i++) await startWorker(cluster, `worker-${i}`);
  } catch (err) {
    await cluster.stop().catch(() => undefined);
    throw err;
  }
  const p = cluster.ports;
  const rel = relative(projectRoot, cluster.dir);
  console.log(`
The cluster is running (pids: ${rel}/state.json, logs: ${rel}/logs/).
  Temporal frontend  ${cluster.address}   (history :${p.history}, matching :${p.matching}, worker :${p.worker}; each its own process)
  PostgreSQL         127.0.0.1:${p.postgres}   databases temporal, temporal_visibility; role temporal, password in ${rel}/pg-password
${values.headless ? '' : `  Temporal UI        http://127.0.0.1:${p.ui}\n`}  codec server       http://127.0.0.1:${p.codecServer}   (sign in there once per browser: README, "Reading encrypted runs")
  workers            ${workers} × bin/g2p-onboard-worker${sandbox ? ", with the sandbox's policy" : ''}
${sandbox ? `  sandbox            ${readFileSync(logPath(cluster.dir, 'sandbox'), 'utf8').match(/MOSIP\s+(\S+)/)?.[1] ?? ''} … (log ${rel}/logs/sandbox.log)\n` : ''}
The CLI:     TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_CODEC_ENDPOINT=http://127.0.0.1:${p.codecServer} npx g2p-onboard list
Restart one: npm run cluster -- --restart history
Stop:        npm run cluster -- --stop`);
}

async function main(): Promise<void> {
  if (values.help) return console.log(USAGE);
  if (values.stop) {
    const cluster = Cluster.open(dir, log);
    if (!cluster) return log('nothing to stop');
    await cluster.stop();
    return log('stopped');
  }
  if (values.status) return status(opened());
  if (values.restart) {
    const cluster = opened();
    if (values.restart === 'postgres') return cluster.restartPostgres();
    await stopPart(cluster, values.restart);
    await startPart(cluster, values.restart);
    return log(`${values.restart} restarted`);
  }
  if (values['stop-service']) return stopPart(opened(), values['stop-service']);
  if (values['start-service']) return startPart(opened(), values['start-service']);
  await start();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`cluster: ${(err as Error).message}`);
    process.exit(1);
  },
);
