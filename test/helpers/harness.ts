// The setting every workflow test needs: a real Temporal dev server, the sandbox, an
// in-process worker and a client that share one codec. Registers its own before/after hooks.
import { after, before } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv } from './temporal.js';
import { startTestSandbox, testCodec, testDeps } from './fixtures.js';
import type { Sandbox, SandboxOptions } from '../../sandbox/index.js';
import type { ActivityDeps } from '../../src/activities/index.js';
import { createOnboardingWorker } from '../../src/worker.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { statusQuery, type StatusView } from '../../src/workflows/messages.js';

export interface WorkflowHarness {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  deps: ActivityDeps;
  client: Client;
  worker: Worker;
  codec: PayloadCodec;
}

/** `tuning`: worker options for the test (a cache of 0 makes every workflow task a replay). */
export function useWorkflowHarness(options: SandboxOptions = {}, tuning: Partial<WorkerOptions> = {}): WorkflowHarness {
  const h = {} as WorkflowHarness;
  let running: Promise<void>;
  before(async () => {
    h.env = await createTestEnv();
    h.sandbox = await startTestSandbox(options);
    h.deps = await testDeps(h.sandbox);
    const codec = testCodec();
    const namespace = h.env.namespace ?? 'default';
    h.worker = await createOnboardingWorker({
      connection: h.env.nativeConnection,
      namespace,
      codec,
      deps: h.deps,
      tuning,
    });
    h.codec = codec;
    running = h.worker.run();
    h.client = new Client({ connection: h.env.connection, namespace, dataConverter: dataConverterFor(codec) });
  });
  after(async () => {
    h.worker?.shutdown();
    await running;
    await h.sandbox?.close();
    await h.env?.teardown();
  });
  return h;
}

/** Polls the `status` query until `until` holds. */
export async function waitForStatus(
  handle: WorkflowHandle,
  until: (s: StatusView) => boolean,
  timeoutMs = 30_000,
): Promise<StatusView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (until(status)) return status;
    if (Date.now() > deadline) throw new Error(`status never matched; last: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
