// 1. Orchestration overhead: one onboarding through Temporal against the same activity calls
// made straight, interleaved (T S, S T, …) so drift and warm-up hit both alike; and
// 2a. history size of a completed run.
//
// Approval: the approver's signed `approve` update, sent as soon as `status` shows the run
// waiting (polled every APPROVAL_POLL_MS). The straight line records the same approval on PMS
// at the same point (decidePolicyMapping), so both make the same HTTP calls in the same order;
// the request logs of the warm-up pair are compared to prove it. Approving through the PMS
// portal instead would make both sides sleep a poll interval (≥ 1 s), which only dilutes the ratio.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { RemoteSandbox, Stack, Temporal } from './stack.js';
import {
  approve,
  benchSpecs,
  completed,
  deploymentIds,
  historyEvents,
  startRun,
  untilAwaitingApproval,
} from './runs.js';
import type { StraightReply, StraightRequest } from './straight-line.js';
import type { CallRecord } from './sandbox-host.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { secretEnv } from '../../test/helpers/fixtures.js';
import { median, round } from './stats.js';

const APPROVAL_POLL_MS = 20;

export interface OverheadFigures {
  runs: number;
  latencyMs: number;
  temporalMedianMs: number;
  straightMedianMs: number;
  overheadRatio: number;
  overheadMs: number;
  remoteCallsPerRun: number;
  sameCalls: boolean;
  eventsPerRun: number;
}

interface Straight {
  run(spec: DeploymentSpec): Promise<number>;
  stop(): void;
}

async function startStraight(temporal: Temporal, sandbox: RemoteSandbox): Promise<Straight> {
  const child = fork(join(import.meta.dirname, 'straight-line.js'), [], {
    env: {
      ...temporal.env,
      ...secretEnv(sandbox.view),
      G2P_ONBOARD_CREDENTIALS_DIR: join(temporal.workDir, 'credentials-straight'),
    },
    cwd: temporal.workDir,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`straight-line runner exited (${code})`)));
  });
  let seq = 0;
  return {
    run: (spec) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        const started = performance.now();
        const onReply = (msg: StraightReply) => {
          if (msg.seq !== id) return;
          child.off('message', onReply);
          if (msg.type === 'done') resolve(performance.now() - started);
          else reject(new Error(`straight line ${spec.deploymentId}: ${msg.error}`));
        };
        child.on('message', onReply);
        child.send({ type: 'run', seq: id, spec } satisfies StraightRequest);
      }),
    stop: () => child.disconnect(),
  };
}

/** Start → approved at once → completed, as the caller sees it. */
async function viaTemporal(
  temporal: Temporal,
  spec: DeploymentSpec,
): Promise<{ ms: number; workflowId: string; firstRunId: string }> {
  const started = performance.now();
  const handle = await startRun(temporal.client, spec);
  await untilAwaitingApproval(handle, APPROVAL_POLL_MS);
  await approve(handle);
  await completed(handle);
  return { ms: performance.now() - started, workflowId: handle.workflowId, firstRunId: handle.firstExecutionRunId };
}

const callKey = (c: CallRecord) => `${c.system} ${c.method} ${c.route}`;

/** Needs the stack's worker running; leaves it running. */
export async function measureOverhead(
  stack: Stack,
  runs: number,
  warmUp: boolean,
  latencyMs: number,
  log: (line: string) => void,
  /** Deployment ids for another measurement on the same sandbox (the cluster benchmark alternates). */
  idPrefix = 'ovh',
): Promise<OverheadFigures> {
  const { temporal, sandbox } = stack;
  await sandbox.configure({ latencyMs, autoApproveMs: null });
  const straight = await startStraight(temporal, sandbox);
  try {
    const pairs = runs + (warmUp ? 1 : 0);
    const specs = await benchSpecs(sandbox, deploymentIds(idPrefix, 2 * pairs), undefined, stack.certificates);
    const temporalMs: number[] = [];
    const straightMs: number[] = [];
    const events: number[] = [];
    // Runs `body`; with `record`, also returns the sandbox calls it made, in order.
    const capture = async <T>(record: boolean, body: () => Promise<T>): Promise<{ value: T; calls: string[] }> => {
      if (record) await sandbox.clearCalls();
      const value = await body();
      return { value, calls: record ? (await sandbox.calls()).map(callKey) : [] };
    };
    let temporalCalls: string[] = [];
    let sameCalls = false;
    for (let i = 0; i < pairs; i++) {
      const proof = i === 0; // the first pair also proves both sides make the same calls in the same order
      const runT = () => capture(proof, () => viaTemporal(temporal, specs[2 * i]!));
      const runS = () => capture(proof, () => straight.run(specs[2 * i + 1]!));
      // Every other pair runs the straight line first, so order effects cancel out.
      let t: Awaited<ReturnType<typeof runT>>;
      let s: Awaited<ReturnType<typeof runS>>;
      if (i % 2 === 0) {
        t = await runT();
        s = await runS();
      } else {
        s = await runS();
        t = await runT();
      }
      if (proof) {
        temporalCalls = t.calls;
        sameCalls = t.calls.join('\n') === s.calls.join('\n');
        if (!sameCalls)
          log(`  ! the straight line's calls differ from the workflow's (${s.calls.length} vs ${t.calls.length})`);
      }
      const counted = !(warmUp && i === 0);
      log(
        `  pair ${i + 1}/${pairs}${counted ? '' : ' (warm-up)'}: temporal ${Math.round(t.value.ms)} ms, straight ${Math.round(s.value)} ms`,
      );
      if (!counted) continue;
      temporalMs.push(t.value.ms);
      straightMs.push(s.value);
      events.push((await historyEvents(temporal.client, t.value.workflowId, t.value.firstRunId)).events);
    }
    const temporalMedianMs = median(temporalMs);
    const straightMedianMs = median(straightMs);
    return {
      runs,
      latencyMs,
      temporalMedianMs: round(temporalMedianMs),
      straightMedianMs: round(straightMedianMs),
      overheadRatio: round(temporalMedianMs / straightMedianMs, 3),
      overheadMs: round(temporalMedianMs - straightMedianMs),
      remoteCallsPerRun: temporalCalls.length,
      sameCalls,
      eventsPerRun: median(events),
    };
  } finally {
    straight.stop();
  }
}
