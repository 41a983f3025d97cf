// 4. Throughput and growth: N onboardings started together on one worker, each approved by
// the sandbox's Partner Admin in the PMS portal at once and noticed by the run's PMS poll
// (the spec's approval.pollInterval, 1 s): no driver polling N runs, and the path a portal
// approval takes in production. Wall time runs from the first start to the last completion.
import type { Stack } from './stack.js';
import { benchSpecs, completed, deploymentIds, startRun } from './runs.js';
import { CpuMeter, pool, round } from './stats.js';

export interface ThroughputPoint {
  n: number;
  wallMs: number;
  completionsPerMinute: number;
  /** CPU seconds per process during the scenario: where the wall time goes. */
  cpu: Record<string, number>;
}

export async function measureThroughput(
  stack: Stack,
  sizes: number[],
  latencyMs: number,
  log: (line: string) => void,
): Promise<ThroughputPoint[]> {
  const { temporal, sandbox } = stack;
  await sandbox.configure({ latencyMs, autoApproveMs: 0 });
  const points: ThroughputPoint[] = [];
  try {
    for (const n of sizes) {
      await sandbox.clearCalls();
      const specs = await benchSpecs(
        sandbox,
        deploymentIds(`tp${n}`, n),
        (s) => void (s.approval.pollInterval = '1s'),
        stack.certificates,
      );
      const meter = await new CpuMeter({
        worker: stack.worker!.pid,
        server: temporal.server.pid,
        sandbox: sandbox.pid,
        bench: process.pid,
      }).start();
      const started = performance.now();
      const handles = await pool(specs, 50, (spec) => startRun(temporal.client, spec));
      await Promise.all(handles.map(completed));
      const wallMs = performance.now() - started;
      const cpu = await meter.stop();
      points.push({ n, wallMs: round(wallMs), completionsPerMinute: round((n / wallMs) * 60_000, 1), cpu });
      log(
        `  ${n} concurrent: all completed in ${(wallMs / 1000).toFixed(1)} s (${points.at(-1)!.completionsPerMinute}/min); CPU s ${JSON.stringify(cpu)}`,
      );
    }
  } finally {
    await sandbox.configure({ autoApproveMs: null });
  }
  return points;
}
