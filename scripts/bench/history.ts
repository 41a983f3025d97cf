// 2b. History while waiting for approval: one run parked on Temporal's time-skipping test
// server, its clock moved forward `hours`; the events added (across continue-as-new, if the
// workflow uses it), the PMS polls made (mapping searches the sandbox answered), and the longest single history in the chain — the
// figure that must stay bounded however long the wait.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createOnboardingWorker, workerDeps } from '../../src/worker.js';
import { workerConfigFrom } from '../../src/config/worker.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { secretEnv, testCodec } from '../../test/helpers/fixtures.js';
import { writeLoopbackPolicyFile } from '../../test/helpers/loopback-policy.js';
import { createTimeSkippingEnv } from '../../test/helpers/temporal.js';
import type { RemoteSandbox } from './stack.js';
import type { CallRecord } from './sandbox-host.js';
import { benchSpecs, deploymentIds, historyEvents, startRun, untilAwaitingApproval } from './runs.js';
import { round } from './stats.js';

export interface WaitFigures {
  pollInterval: string;
  waitedHours: number;
  eventsPerWaitHour: number;
  pollsPerHour: number;
  eventsPerPoll: number;
  /** Longest single run's history in the chain at the end of the wait. */
  longestHistory: number;
  /** Runs in the chain (1 = no continue-as-new happened). */
  chainRuns: number;
}

const POLL_INTERVAL = '1m';

/** This in-process worker's INFO lines would drown the bench's own output. */
function quietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } },
    });
  } catch {
    // Already installed (a second call in one process): keep it.
  }
}

export async function measureWaitGrowth(
  sandbox: RemoteSandbox,
  hours: number,
  log: (line: string) => void,
): Promise<WaitFigures> {
  await sandbox.configure({ latencyMs: 0, autoApproveMs: null });
  quietRuntime();
  const env = await createTimeSkippingEnv();
  const namespace = env.namespace ?? 'default';
  const codec = testCodec();
  const workDir = await mkdtemp(join(tmpdir(), 'g2p-onboard-bench-history-'));
  const deps = workerDeps(
    workerConfigFrom({
      ...secretEnv(sandbox.view),
      G2P_ONBOARD_CREDENTIALS_DIR: join(workDir, 'credentials'),
      G2P_ONBOARD_POLICY: await writeLoopbackPolicyFile(join(workDir, 'worker-policy.json'), join(workDir, 'secrets')),
    }),
  );
  const worker = await createOnboardingWorker({ connection: env.nativeConnection, namespace, codec, deps });
  const running = worker.run();
  try {
    const client = new Client({ connection: env.connection, namespace, dataConverter: dataConverterFor(codec) });
    const [spec] = await benchSpecs(sandbox, deploymentIds('hist', 1), (s) => {
      s.approval.pollInterval = POLL_INTERVAL;
    });
    const handle = await startRun(client, spec!);
    await untilAwaitingApproval(handle, 50);
    const before = await historyEvents(client, handle.workflowId, handle.firstExecutionRunId);
    await sandbox.clearCalls();
    const started = performance.now();
    await env.sleep(`${hours}h`);
    const after = await historyEvents(client, handle.workflowId, handle.firstExecutionRunId);
    log(
      `  ${hours} h of waiting (${((performance.now() - started) / 1000).toFixed(1)} s real): +${after.events - before.events} events, ${after.runs} run(s), longest history ${after.longestRun}`,
    );
    const pollCount = (await sandbox.calls()).filter(isMappingSearch).length;
    await handle.terminate('benchmark done');
    const added = after.events - before.events;
    return {
      pollInterval: POLL_INTERVAL,
      waitedHours: hours,
      eventsPerWaitHour: round(added / hours),
      pollsPerHour: round(pollCount / hours, 1),
      eventsPerPoll: round(added / Math.max(pollCount, 1), 1),
      longestHistory: after.longestRun,
      chainRuns: after.runs,
    };
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await env.teardown();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** A PMS poll is one mapping search (the watch activity's attempts leave no history of their own). */
function isMappingSearch(call: CallRecord): boolean {
  return call.system === 'mosip' && call.route.endsWith('/partners/apikey/request/search');
}
