// The bench's figures: one flat JSON object (comparable across commits), the targets
// checked against it, and a short human summary.
import type { StartupFigures } from './startup.js';
import type { OverheadFigures } from './overhead.js';
import type { WaitFigures } from './history.js';
import type { ThroughputPoint } from './throughput.js';
import type { ParkedFigures } from './parked.js';
import { round } from './stats.js';

export interface Figures {
  quick: boolean;
  cpus: number;
  memGiB: number;
  node: string;
  latencyMs: number;
  /** supplied: specs bring partner certificates (production); generated: the product makes them (trials). */
  certificates: 'supplied' | 'generated';
  loadAvgStart: number;
  loadAvgEnd?: number;
  startup?: StartupFigures;
  overhead?: OverheadFigures;
  wait?: WaitFigures;
  throughput?: ThroughputPoint[];
  parked?: ParkedFigures[];
  benchSeconds?: number;
}

type Flat = Record<string, number | boolean | string>;

const capitalised = (key: string) => key[0]!.toUpperCase() + key.slice(1);

export function flatten(f: Figures): Flat {
  const flat: Flat = {
    quick: f.quick,
    cpus: f.cpus,
    memGiB: f.memGiB,
    node: f.node,
    latencyMs: f.latencyMs,
    certificates: f.certificates,
    loadAvgStart: f.loadAvgStart,
  };
  if (f.startup) Object.assign(flat, f.startup);
  if (f.overhead) {
    const { runs, latencyMs: _latency, ...rest } = f.overhead;
    Object.assign(flat, { overheadRuns: runs }, rest);
  }
  if (f.wait) for (const [key, value] of Object.entries(f.wait)) flat[`wait${capitalised(key)}`] = value;
  for (const p of f.throughput ?? []) {
    flat[`throughput${p.n}WallMs`] = p.wallMs;
    flat[`throughput${p.n}PerMin`] = p.completionsPerMinute;
    for (const [proc, seconds] of Object.entries(p.cpu)) flat[`throughput${p.n}Cpu${capitalised(proc)}S`] = seconds;
  }
  if (f.throughput && f.throughput.length > 1) {
    const first = f.throughput[0]!;
    const last = f.throughput.at(-1)!;
    // Wall time per run at the largest N relative to the smallest: 1 = linear, < 1 = runs overlap well.
    flat.throughputWallGrowth = round(last.wallMs / first.wallMs, 2);
    flat.throughputPerRunGrowth = round(last.wallMs / last.n / (first.wallMs / first.n), 3);
  }
  for (const p of f.parked ?? []) {
    const { n, ...rest } = p;
    const { parkCpu, drainCpu, ...scalars } = rest;
    for (const [key, value] of Object.entries(scalars)) flat[`parked${n}${capitalised(key)}`] = value;
    for (const [proc, seconds] of Object.entries(parkCpu)) flat[`parked${n}ParkCpu${capitalised(proc)}S`] = seconds;
    for (const [proc, seconds] of Object.entries(drainCpu)) flat[`parked${n}DrainCpu${capitalised(proc)}S`] = seconds;
  }
  if (f.benchSeconds !== undefined) flat.benchSeconds = f.benchSeconds;
  if (f.loadAvgEnd !== undefined) flat.loadAvgEnd = f.loadAvgEnd;
  return flat;
}

/** What must hold whatever the machine: the comparison is fair and every run completed. */
export function brokenFigures(flat: Flat): string[] {
  const broken: string[] = [];
  if ('sameCalls' in flat && flat.sameCalls !== true)
    broken.push('the straight line made other calls than the workflow');
  for (const [key, value] of Object.entries(flat)) {
    const m = /^parked(\d+)Completed$/.exec(key);
    if (m && Number(value) !== Number(m[1])) broken.push(`${key} ${value}: not every parked run completed`);
  }
  return broken;
}

/** The targets, checked where the figure was measured; returns the ones missed. */
export function checkTargets(flat: Flat): string[] {
  const targets: [string, (v: number | boolean | string) => boolean, string][] = [
    ['overheadRatio', (v) => Number(v) <= 1.3, '≤ 1.3'],
    ['overheadMs', (v) => Number(v) <= 2000, '≤ 2000 ms'],
    ['eventsPerRun', (v) => Number(v) <= 150, '≤ 150'],
    ['sameCalls', (v) => v === true, 'true'],
    ['parked1000WorkerRssMb', (v) => Number(v) <= 300, '≤ 300 MB'],
    ['parked1000QueryP99Ms', (v) => Number(v) <= 200, '≤ 200 ms'],
    ['parked1000Completed', (v) => Number(v) === 1000, '= 1000'],
    ['throughput100WallMs', (v) => Number(v) <= 60_000, '≤ 60000 ms'],
    ['workerReadyMs', (v) => Number(v) <= 3000, '≤ 3000 ms'],
    ['cliStatusMs', (v) => Number(v) <= 500, '≤ 500 ms'],
  ];
  const missed = targets
    .filter(([key, ok]) => key in flat && !ok(flat[key]!))
    .map(([key, , want]) => `${key} ${flat[key]} (target ${want})`);
  // Bounded history while waiting: either the wait continued as new, or it stays far from Temporal's 50k-event limit over 14 days.
  if (
    'waitEventsPerWaitHour' in flat &&
    Number(flat.waitChainRuns) === 1 &&
    Number(flat.waitEventsPerWaitHour) * 24 * 14 > 10_000
  ) {
    missed.push(
      `waitEventsPerWaitHour ${flat.waitEventsPerWaitHour} with no continue-as-new (unbounded: ${Number(flat.waitEventsPerWaitHour) * 24 * 14} events over a 14-day wait)`,
    );
  }
  return missed;
}

export function summary(f: Figures, missed: string[]): string {
  const lines = [
    `g2p-onboard bench${f.quick ? ' (quick)' : ''}: ${f.cpus} cores, ${f.memGiB} GiB, Node ${f.node}, ${f.latencyMs} ms per sandbox call, partner certificates ${f.certificates}; ` +
      `load average ${f.loadAvgStart} at start, ${f.loadAvgEnd ?? '?'} at end`,
  ];
  const s = f.startup;
  if (s) {
    const before = s.workerReadyNoBundleMs === undefined ? '' : ` (bundling at start: ${s.workerReadyNoBundleMs} ms)`;
    lines.push(
      `  start-up      worker ready ${s.workerReadyMs} ms${before}; CLI status ${s.cliStatusMs} ms (node alone ${s.nodeStartMs} ms)`,
    );
  }
  const o = f.overhead;
  if (o) {
    lines.push(
      `  overhead      Temporal ${o.temporalMedianMs} ms vs straight ${o.straightMedianMs} ms (median of ${o.runs}): ×${o.overheadRatio}, +${o.overheadMs} ms; ${o.remoteCallsPerRun} remote calls, same calls: ${o.sameCalls}`,
    );
    lines.push(`  history       ${o.eventsPerRun} events per completed run`);
  }
  const w = f.wait;
  if (w)
    lines.push(
      `  waiting       +${w.eventsPerWaitHour} events/h at a ${w.pollInterval} poll (${w.eventsPerPoll} per poll); after ${w.waitedHours} h: ${w.chainRuns} run(s), longest history ${w.longestHistory} events`,
    );
  for (const p of f.throughput ?? [])
    lines.push(
      `  throughput    ${String(p.n).padStart(4)} concurrent: ${(p.wallMs / 1000).toFixed(1)} s, ${p.completionsPerMinute} completions/min`,
    );
  for (const p of f.parked ?? []) {
    lines.push(
      `  parked ${String(p.n).padStart(5)}  worker ${p.workerRssMb} MB (peak ${p.workerRssPeakMb}), server ${p.serverRssMb} MB (peak ${p.serverRssPeakMb}); ` +
        `started ${(p.startAllMs / 1000).toFixed(1)} s, all waiting ${(p.parkAllMs / 1000).toFixed(1)} s; status p50 ${p.queryP50Ms} ms p99 ${p.queryP99Ms} ms; ` +
        `approve+drain ${(p.drainMs / 1000).toFixed(1)} s, ${p.completed}/${p.n} completed`,
    );
  }
  lines.push(missed.length ? `  targets missed: ${missed.join('; ')}` : '  every target measured here is met');
  return lines.join('\n');
}
