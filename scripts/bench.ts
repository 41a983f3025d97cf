// `npm run bench [-- --quick]`: what the orchestration costs, how far one worker goes and how
// cost grows with the number of runs. Starts what it needs (Temporal dev server in memory,
// the sandbox with a fixed per-call latency, the real worker), stops it all afterwards, and
// prints figures — progress on stderr, a summary, then one JSON line with every figure last.
// `--quick` runs a reduced size of each section (a CI smoke run, well under a minute).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findWorkflowBundle } from '../src/workflow-bundle.js';
import { startStack, type Stack } from './bench/stack.js';
import { measureStartup } from './bench/startup.js';
import { measureOverhead } from './bench/overhead.js';
import { measureWaitGrowth } from './bench/history.js';
import { measureThroughput } from './bench/throughput.js';
import { measureParked } from './bench/parked.js';
import { round } from './bench/stats.js';
import { brokenFigures, checkTargets, flatten, summary, type Figures } from './bench/report.js';

const SECTIONS = ['startup', 'overhead', 'history', 'throughput', 'parked'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    only: { type: 'string' },
    'latency-ms': { type: 'string' },
    runs: { type: 'string' },
    throughput: { type: 'string' },
    parked: { type: 'string' },
    'wait-hours': { type: 'string' },
    'worker-env': { type: 'string', multiple: true },
    'generate-certificates': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

const USAGE = `usage: npm run bench -- [--quick] [--only ${SECTIONS.join(',')}] [--latency-ms 50]
  [--runs 10] [--throughput 10,50,100] [--parked 100,300,1000] [--wait-hours 24]
  [--worker-env NAME=value …]   extra environment for the worker (try tuning without editing code)
  [--generate-certificates]     specs bring no partner certificates: the product generates them (trials)`;

const quick = values.quick ?? false;
const list = (text: string | undefined, fallback: number[]) => (text ? text.split(',').map(Number) : fallback);
const config = {
  latencyMs: Number(values['latency-ms'] ?? 50),
  overheadRuns: Number(values.runs ?? (quick ? 1 : 10)),
  warmUp: !quick,
  startupSamples: quick ? 1 : 5,
  waitHours: Number(values['wait-hours'] ?? (quick ? 4 : 24)),
  throughputSizes: list(values.throughput, quick ? [3] : [10, 50, 100]),
  parkedSizes: list(values.parked, quick ? [5] : [100, 300, 1000]),
  // Each parked size on a fresh server, sandbox and worker, so memory is that size's alone.
  freshStackPerParkedSize: !quick,
  generateCertificates: values['generate-certificates'] ?? false,
  workerEnv: Object.fromEntries(
    (values['worker-env'] ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  ),
};
const only = new Set<Section>((values.only?.split(',') as Section[] | undefined) ?? SECTIONS);
const log = (line: string) => console.error(line);

/** The worker must load the bundle this build made; otherwise "with the bundle" would measure bundling. */
function ensureFreshBundle(): void {
  const lookup = findWorkflowBundle();
  if ('codePath' in lookup) return;
  log(`${lookup.reason}: building it (npm run build does this)`);
  const built = spawnSync(process.execPath, [join(import.meta.dirname, 'build-workflow-bundle.js'), '--quiet'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('could not build the workflow bundle');
}

async function withStack<T>(body: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = await startStack({
    latencyMs: config.latencyMs,
    workerEnv: config.workerEnv,
    generateCertificates: config.generateCertificates,
  });
  try {
    return await body(stack);
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<number> {
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  ensureFreshBundle();
  const started = performance.now();
  const figures: Figures = {
    quick,
    cpus: cpus().length,
    memGiB: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    latencyMs: config.latencyMs,
    certificates: config.generateCertificates ? 'generated' : 'supplied',
    // Other work on the machine skews every figure: recorded so a noisy run can be told apart.
    loadAvgStart: round(loadavg()[0]!, 2),
  };
  await withStack(async (stack) => {
    if (only.has('startup')) {
      log('5. start-up: worker ready time, CLI status');
      figures.startup = await measureStartup(stack, config.startupSamples, !quick, log);
    } else {
      await stack.startWorker();
    }
    if (only.has('overhead')) {
      log(
        `1. orchestration overhead: ${config.overheadRuns} interleaved pairs, ${config.latencyMs} ms per sandbox call`,
      );
      figures.overhead = await measureOverhead(stack, config.overheadRuns, config.warmUp, config.latencyMs, log);
    }
    if (only.has('history')) {
      log(`2. history while waiting: ${config.waitHours} h on the time-skipping server`);
      figures.wait = await measureWaitGrowth(stack.sandbox, config.waitHours, log);
    }
    if (only.has('throughput')) {
      log(`4. throughput: ${config.throughputSizes.join(', ')} concurrent onboardings`);
      figures.throughput = await measureThroughput(stack, config.throughputSizes, config.latencyMs, log);
    }
    if (only.has('parked') && !config.freshStackPerParkedSize) {
      log(`3. parked runs: ${config.parkedSizes.join(', ')}`);
      figures.parked = [];
      for (const n of config.parkedSizes) figures.parked.push(await measureParked(stack, n, config.latencyMs, log));
    }
  });
  if (only.has('parked') && config.freshStackPerParkedSize) {
    log(`3. parked runs: ${config.parkedSizes.join(', ')}, each on a fresh server and worker`);
    figures.parked = [];
    for (const n of config.parkedSizes) {
      log(`  N = ${n}`);
      figures.parked.push(
        await withStack(async (stack) => {
          await stack.startWorker();
          return measureParked(stack, n, config.latencyMs, log);
        }),
      );
    }
  }
  figures.benchSeconds = round((performance.now() - started) / 1000, 1);
  figures.loadAvgEnd = round(loadavg()[0]!, 2);
  const flat = flatten(figures);
  const missed = checkTargets(flat);
  const broken = brokenFigures(flat);
  console.log(summary(figures, missed));
  if (broken.length) console.log(`  BROKEN: ${broken.join('; ')}`);
  console.log(JSON.stringify({ ...flat, targetsMissed: missed }));
  // Missed targets are figures (machines differ); a broken comparison or a lost run is a failure.
  return broken.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
