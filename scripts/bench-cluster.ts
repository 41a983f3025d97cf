// `npm run bench:cluster`: the figures for README's production section, measured on the cluster
// (scripts/cluster/: PostgreSQL, four Temporal services) with the sandbox at a fixed latency and
// the real worker, reusing the benchmark's pieces (scripts/bench/):
//   1. one onboarding's wall time on the cluster against the dev server's (interleaved pairs
//      with the straight-line runbook, as `npm run bench` measures overhead);
//   2. N runs parked at the approval: the server's four services' and PostgreSQL's memory, and
//      the database's size per run;
//   3. approving all N and draining them with one worker, then (N more runs) with two.
// Progress on stderr, a summary, then one JSON line with every figure last.
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster } from './cluster/cluster.js';
import { psqlValue } from './cluster/postgres.js';
import { projectRoot } from '../src/project-root.js';
import { startStack, startWorkerProcess, type Stack } from './bench/stack.js';
import { measureOverhead } from './bench/overhead.js';
import { measureParked } from './bench/parked.js';
import { median, round } from './bench/stats.js';
import type { DevServer } from './temporal/dev-server.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    parked: { type: 'string' },
    'latency-ms': { type: 'string' },
    'overhead-only': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
const USAGE = 'usage: npm run bench:cluster -- [--runs 5] [--parked 1000] [--latency-ms 50] [--overhead-only]';
const runs = Number(values.runs ?? 5);
const parkedN = Number(values.parked ?? 1000);
const latencyMs = Number(values['latency-ms'] ?? 50);
const log = (line: string) => console.error(line);
const CLUSTER_DIR = join(projectRoot, '.data', 'bench-cluster');
const PORT_OFFSET = 15_000;

/** Proportional set size (shared pages split between sharers) in MB: PostgreSQL's processes share their buffers. */
async function pssMb(pid: number): Promise<number> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+)\s+kB/m.exec(rollup)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

interface ClusterMemory {
  /** Per service and PostgreSQL (its postmaster and backends), MB of PSS. */
  byProcess: Record<string, number>;
  serverMb: number;
  postgresMb: number;
}

async function clusterMemory(cluster: Cluster): Promise<ClusterMemory> {
  const byProcess: Record<string, number> = {};
  for (const [name, pid] of Object.entries(cluster.serverPids())) {
    const pids = name === 'postgres' ? [pid, ...childrenOf(pid)] : [pid];
    byProcess[name] = round((await Promise.all(pids.map(pssMb))).reduce((a, b) => a + b, 0));
  }
  const postgresMb = byProcess.postgres ?? 0;
  const serverMb = Object.entries(byProcess)
    .filter(([n]) => n !== 'postgres')
    .reduce((a, [, v]) => a + v, 0);
  return { byProcess, serverMb: round(serverMb), postgresMb: round(postgresMb) };
}

/** Both Temporal databases, MB. */
function databaseMb(cluster: Cluster): number {
  const bytes = psqlValue(
    cluster.pg,
    'postgres',
    "SELECT pg_database_size('temporal') + pg_database_size('temporal_visibility')",
  );
  return Number(bytes) / 1024 ** 2;
}

/**
 * The workers of one deployment share a credential store: a run's client key is generated in
 * one step and read in a later one, perhaps by the other worker (which otherwise blocks the run
 * as ClientKeyConflict, as the first two-worker drain here did).
 */
const sharedCredentials = (stack: Stack): NodeJS.ProcessEnv => ({
  G2P_ONBOARD_CREDENTIALS_DIR: join(stack.temporal.workDir, 'credentials'),
});

async function withStack<T>(settings: { server?: DevServer }, body: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = await startStack({ latencyMs, ...settings });
  try {
    await stack.startWorker({ env: sharedCredentials(stack) });
    return await body(stack);
  } finally {
    await stack.stop();
  }
}

/**
 * One onboarding on the dev server and on the cluster, pair by pair in turn (each against the
 * straight-line runbook, as `npm run bench` measures overhead), so load from elsewhere on the
 * machine falls on both alike. Medians of the wall time through Temporal.
 */
async function interleavedOnboarding(
  devStack: Stack,
  clusterStack: Stack,
): Promise<{ dev: number[]; cluster: number[]; devOverhead: number[]; clusterOverhead: number[]; events: number }> {
  const out = {
    dev: [] as number[],
    cluster: [] as number[],
    devOverhead: [] as number[],
    clusterOverhead: [] as number[],
    events: 0,
  };
  for (let i = 0; i <= runs; i++) {
    const warmUp = i === 0;
    const order: ['dev' | 'cluster', Stack][] = [
      ['dev', devStack],
      ['cluster', clusterStack],
    ];
    if (i % 2) order.reverse();
    for (const [name, stack] of order) {
      const f = await measureOverhead(
        stack,
        1,
        false,
        latencyMs,
        (l) => log(`  ${name}${warmUp ? ' (warm-up)' : ''}:${l}`),
        `ov${i}`,
      );
      if (warmUp) continue;
      out[name].push(f.temporalMedianMs);
      out[name === 'dev' ? 'devOverhead' : 'clusterOverhead'].push(f.overheadMs);
      if (name === 'cluster') out.events = f.eventsPerRun;
    }
  }
  return out;
}

async function main(): Promise<number> {
  if (values.help) return (console.log(USAGE), 0);
  if (!(runs >= 1 && parkedN >= 1 && latencyMs >= 0)) throw new Error(USAGE);
  const started = performance.now();

  log('cluster: starting (PostgreSQL, history, matching, frontend, worker)');
  const cluster = await Cluster.start({ dir: CLUSTER_DIR, portOffset: PORT_OFFSET, log: (l) => log(`  ${l}`) });
  const pids = cluster.serverPids();
  // What the stack needs of a server: its address and a pid (the frontend's); the cluster stops itself.
  const server: DevServer = {
    address: cluster.address,
    pid: pids.frontend!,
    exited: new Promise(() => undefined),
    stop: async () => undefined,
  };
  try {
    const idle = await clusterMemory(cluster);
    const idleDbMb = databaseMb(cluster);
    log(`  idle: server ${idle.serverMb} MB, PostgreSQL ${idle.postgresMb} MB, databases ${idleDbMb.toFixed(1)} MB`);
    const figures = await withStack({ server }, async (stack) => {
      log(
        `1. one onboarding, dev server and cluster in turn: ${runs} pairs each after a warm-up, ${latencyMs} ms per sandbox call`,
      );
      const onboarding = await withStack({}, (devStack) => interleavedOnboarding(devStack, stack));
      const first = {
        latencyMs,
        onboardingDevServerMs: round(median(onboarding.dev)),
        onboardingClusterMs: round(median(onboarding.cluster)),
        clusterExtraMs: round(median(onboarding.cluster) - median(onboarding.dev)),
        overheadVsStraightDevMs: round(median(onboarding.devOverhead)),
        overheadVsStraightClusterMs: round(median(onboarding.clusterOverhead)),
        eventsPerRun: onboarding.events,
        idleServerMb: idle.serverMb,
        idlePostgresMb: idle.postgresMb,
      };
      if (values['overhead-only']) return first;

      log(`2-3. ${parkedN} runs parked, then approved and drained by one worker`);
      const beforeDbMb = databaseMb(cluster);
      let parkedMemory: ClusterMemory | undefined;
      let parkedDbMb = 0;
      const oneWorker = await measureParked(stack, parkedN, latencyMs, log, {
        idPrefix: 'cl1w',
        onParked: async () => {
          parkedMemory = await clusterMemory(cluster);
          parkedDbMb = databaseMb(cluster);
          log(
            `    cluster while parked: ${JSON.stringify(parkedMemory.byProcess)} MB; databases ${parkedDbMb.toFixed(1)} MB`,
          );
        },
      });
      const drainedDbMb = databaseMb(cluster);

      log(`3. ${parkedN} more runs parked, then drained by two workers`);
      const second = await startWorkerProcess(stack.temporal, stack.sandbox, { env: sharedCredentials(stack) });
      let parkedMemory2: ClusterMemory | undefined;
      const twoWorkers = await measureParked(stack, parkedN, latencyMs, log, {
        idPrefix: 'cl2w',
        onParked: async () => void (parkedMemory2 = await clusterMemory(cluster)),
      }).finally(() => second.stop());
      const finalDbMb = databaseMb(cluster);
      return {
        ...first,
        parked: parkedN,
        parkAllMs: oneWorker.parkAllMs,
        parkedServerMb: parkedMemory?.serverMb,
        parkedPostgresMb: parkedMemory?.postgresMb,
        parkedByProcessMb: parkedMemory?.byProcess,
        parkedStatusP50Ms: oneWorker.queryP50Ms,
        parkedStatusP99Ms: oneWorker.queryP99Ms,
        workerRssMb: oneWorker.workerRssMb,
        dbKbPerParkedRun: round(((parkedDbMb - beforeDbMb) * 1024) / parkedN, 1),
        dbKbPerCompletedRun: round(((drainedDbMb - beforeDbMb) * 1024) / parkedN, 1),
        dbMbAfter: round(finalDbMb, 1),
        drainOneWorkerMs: oneWorker.drainMs,
        drainOneWorkerCompleted: oneWorker.completed,
        drainTwoWorkersMs: twoWorkers.drainMs,
        drainTwoWorkersCompleted: twoWorkers.completed,
        drainSpeedup: round(oneWorker.drainMs / twoWorkers.drainMs, 2),
        parkedServerMbSecondBatch: parkedMemory2?.serverMb,
        parkedPostgresMbSecondBatch: parkedMemory2?.postgresMb,
      };
    });
    const benchSeconds = round((performance.now() - started) / 1000);
    const f = figures as Partial<Record<string, number>> & typeof figures;
    console.log(`
Cluster figures (PostgreSQL + four Temporal services on this machine, sandbox at ${latencyMs} ms a call)
  one onboarding:   dev server ${f.onboardingDevServerMs} ms, cluster ${f.onboardingClusterMs} ms (${f.clusterExtraMs >= 0 ? '+' : ''}${f.clusterExtraMs} ms)`);
    if ('parked' in figures)
      console.log(`  ${parkedN} parked:       server ${figures.parkedServerMb} MB (idle ${figures.idleServerMb}), PostgreSQL ${figures.parkedPostgresMb} MB (idle ${figures.idlePostgresMb}); ${figures.dbKbPerParkedRun} KB per parked run, ${figures.dbKbPerCompletedRun} KB per completed run
  drain ${parkedN}:        one worker ${(figures.drainOneWorkerMs / 1000).toFixed(1)} s, two workers ${(figures.drainTwoWorkersMs / 1000).toFixed(1)} s (×${figures.drainSpeedup})`);
    console.log(JSON.stringify({ ...figures, loadAvg: round(loadavg()[0]!, 1), benchSeconds }));
    if (!('parked' in figures)) return 0;
    const lost = figures.drainOneWorkerCompleted + figures.drainTwoWorkersCompleted - 2 * parkedN;
    return lost === 0 ? 0 : 1;
  } finally {
    await cluster.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench:cluster failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
