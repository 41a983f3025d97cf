// 3. Parked runs: N runs waiting for approval on one worker — what they cost in memory, how
// fast `status` answers while they wait, and how long approving them all takes to drain.
// The runs poll PMS at the spec's default interval (1 m), as a real deployment would.
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../../src/workflows/messages.js';
import type { Stack } from './stack.js';
import { approve, benchSpecs, completed, countAtStep, deploymentIds, startRun } from './runs.js';
import { CpuMeter, percentile, pool, round, rssMb, RssSampler, sleep } from './stats.js';

export interface ParkedFigures {
  n: number;
  /** Every start call answered. */
  startAllMs: number;
  /** From the first start until every run waits for approval (their first five steps ran meanwhile). */
  parkAllMs: number;
  workerRssMb: number;
  workerRssPeakMb: number;
  serverRssMb: number;
  serverRssPeakMb: number;
  queries: number;
  queryP50Ms: number;
  queryP99Ms: number;
  /** First approval sent → last run completed. */
  drainMs: number;
  completed: number;
  /** CPU seconds per process while the runs started and parked, and while they drained. */
  parkCpu: Record<string, number>;
  drainCpu: Record<string, number>;
}

async function untilParked(stack: Stack, n: number, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextLog = Date.now() + 10_000;
  for (;;) {
    const parked = await countAtStep(stack.temporal.client, 'awaitApproval');
    if (parked >= n) return;
    if (Date.now() > nextLog) {
      log(`    ${parked}/${n} waiting for approval`);
      nextLog = Date.now() + 10_000;
    }
    if (Date.now() > deadline)
      throw new Error(`only ${parked} of ${n} runs reached the approval within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

export async function measureParked(
  stack: Stack,
  n: number,
  latencyMs: number,
  log: (line: string) => void,
  /** idPrefix: deployment ids for a second measurement on the same sandbox; onParked: measure more while all wait. */
  opts: { idPrefix?: string; onParked?: () => Promise<void> } = {},
): Promise<ParkedFigures> {
  const { temporal, sandbox } = stack;
  const worker = stack.worker;
  if (!worker) throw new Error('measureParked needs the stack worker running');
  await sandbox.configure({ latencyMs, autoApproveMs: null });
  await sandbox.clearCalls();
  const specs = await benchSpecs(
    sandbox,
    deploymentIds(opts.idPrefix ?? `pk${n}`, n),
    (s) => void (s.approval.pollInterval = '1m'),
    stack.certificates,
  );
  const sampler = new RssSampler([worker.pid, temporal.server.pid]).start();
  const processes = { worker: worker.pid, server: temporal.server.pid, sandbox: sandbox.pid, bench: process.pid };
  try {
    const parkMeter = await new CpuMeter(processes).start();
    const started = performance.now();
    const handles: WorkflowHandle[] = await pool(specs, 50, (spec) => startRun(temporal.client, spec));
    const startAllMs = performance.now() - started;
    log(`    ${n} started in ${(startAllMs / 1000).toFixed(1)} s`);
    await untilParked(stack, n, 120_000 + n * 1_000, log);
    const parkAllMs = performance.now() - started;
    const parkCpu = await parkMeter.stop();
    log(`    all ${n} waiting after ${(parkAllMs / 1000).toFixed(1)} s; CPU s ${JSON.stringify(parkCpu)}`);

    // One `status` per run, one at a time: the latency a person at the CLI sees while all wait.
    const queryMs: number[] = [];
    for (const handle of handles) {
      const t = performance.now();
      const status = await handle.query(statusQuery);
      queryMs.push(performance.now() - t);
      if (status.phase !== 'awaiting_approval')
        throw new Error(`${handle.workflowId} is ${status.phase}, expected awaiting_approval`);
    }
    const [workerRssMb, serverRssMb] = await Promise.all([rssMb(worker.pid), rssMb(temporal.server.pid)]);
    await opts.onParked?.();
    log(
      `    parked: worker ${Math.round(workerRssMb)} MB, server ${Math.round(serverRssMb)} MB; status p50 ${percentile(queryMs, 50).toFixed(1)} ms, p99 ${percentile(queryMs, 99).toFixed(1)} ms`,
    );

    const drainMeter = await new CpuMeter(processes).start();
    const drainStarted = performance.now();
    // A refused or timed-out approval is counted and shown, not thrown: the other runs still drain.
    const approvalErrors: string[] = [];
    const approved = await pool(handles, 20, async (handle) => {
      try {
        await approve(handle);
        return handle;
      } catch (err) {
        approvalErrors.push(`${handle.workflowId}: ${(err as Error).message}`);
        return undefined;
      }
    });
    if (approvalErrors.length) log(`    ! ${approvalErrors.length} approvals failed, e.g. ${approvalErrors[0]}`);
    const results = await Promise.allSettled(
      approved.filter((h): h is WorkflowHandle => h !== undefined).map(completed),
    );
    const drainMs = performance.now() - drainStarted;
    const drainCpu = await drainMeter.stop();
    const done = results.filter((r) => r.status === 'fulfilled').length;
    const firstFailure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (firstFailure) log(`    ! ${n - done} runs did not complete, e.g. ${(firstFailure.reason as Error).message}`);
    log(
      `    approved and drained in ${(drainMs / 1000).toFixed(1)} s: ${done}/${n} completed; CPU s ${JSON.stringify(drainCpu)}`,
    );
    return {
      n,
      startAllMs: round(startAllMs),
      parkAllMs: round(parkAllMs),
      workerRssMb: round(workerRssMb),
      workerRssPeakMb: round(Math.max(sampler.peak(worker.pid), workerRssMb)),
      serverRssMb: round(serverRssMb),
      serverRssPeakMb: round(Math.max(sampler.peak(temporal.server.pid), serverRssMb)),
      queries: queryMs.length,
      queryP50Ms: round(percentile(queryMs, 50), 1),
      queryP99Ms: round(percentile(queryMs, 99), 1),
      drainMs: round(drainMs),
      completed: done,
      parkCpu,
      drainCpu,
    };
  } finally {
    sampler.stop();
  }
}
