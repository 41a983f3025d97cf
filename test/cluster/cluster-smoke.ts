// The cluster smoke test (.ci/run runs it after the tests; `npm test` does not pick it up, its
// name has no .test): the production topology from scripts/cluster/ — PostgreSQL, the four
// Temporal services as their own processes — starts on a fresh machine (building the server
// from its Go module into .tools/ when missing), carries one onboarding across two workers with
// a frontend restart in the middle, and stops, leaving none of its processes behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Cluster } from '../../scripts/cluster/cluster.js';
import { isAlive } from '../../scripts/cluster/processes.js';
import { postgresPid } from '../../scripts/cluster/postgres.js';
import { projectRoot } from '../../src/project-root.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { validateSpec } from '../../src/spec/load.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { statusQuery, type OnboardingResult } from '../../src/workflows/messages.js';
import { sandboxSpecInput, secretEnv, startTestSandbox } from '../helpers/fixtures.js';
import { approveAs } from '../helpers/approve.js';
import { sharedCodec, startWorkerProcess, type WorkerLaunch } from '../helpers/worker-launch.js';
import { signer } from '../helpers/identities.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  'the cluster runs one onboarding across two workers through a frontend restart, and stops clean',
  { timeout: 20 * 60_000 },
  async () => {
    const dir = join(projectRoot, '.data', 'ci-cluster');
    await rm(dir, { recursive: true, force: true });
    const work = await mkdtemp(join(tmpdir(), 'g2p-cluster-smoke-'));
    const cluster = await Cluster.start({ dir, portOffset: 25_000, log: (line) => console.log(`# ${line}`) });
    const sandbox = await startTestSandbox();
    const { codecKey, codec } = sharedCodec();
    const launch: WorkerLaunch = {
      address: cluster.address,
      codecKey,
      credentialsDir: join(work, 'credentials'),
      secretsDir: work,
      secrets: secretEnv(sandbox),
    };
    const connect = async () =>
      new Client({
        connection: await Connection.connect({ address: cluster.address }),
        dataConverter: dataConverterFor(codec),
      });
    let client = await connect();
    const first = await startWorkerProcess(launch, 'worker-1');
    let second: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
    try {
      await cluster.ready();
      const spec = validateSpec(sandboxSpecInput(sandbox, 'cluster-smoke'), 'smoke spec');
      sandbox.addPartnerUser(spec.partners.auth.id);
      const handle = await startOnboarding(client, spec, signer('staff-1'));

      // The first worker takes the run to the approval.
      const until = async (phase: string, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const status = await client.workflow
            .getHandle(handle.workflowId)
            .query(statusQuery)
            .catch(() => undefined);
          if (status?.phase === phase) return;
          assert.notEqual(
            status?.phase,
            'blocked',
            `blocked at ${status?.lastError?.step}: ${status?.lastError?.message}`,
          );
          assert.ok(
            Date.now() < deadline,
            `not ${phase} within ${timeoutMs / 1000} s (last: ${status?.phase} at ${status?.currentStep}); worker-1 said:\n${first.output.slice(-15).join('\n')}`,
          );
          await sleep(500);
        }
      };
      await until('awaiting_approval', 120_000);

      // The second worker takes over from the first, and the frontend goes down and comes back meanwhile.
      second = await startWorkerProcess(launch, 'worker-2');
      first.kill('SIGKILL');
      const frontendPid = cluster.state.processes['temporal-frontend']!.pid;
      await cluster.restartService('frontend');
      assert.notEqual(cluster.state.processes['temporal-frontend']!.pid, frontendPid, 'a new frontend process');
      await client.connection.close();
      client = await connect();
      const resumed = client.workflow.getHandle(handle.workflowId);
      await approveAs(resumed, 'alice', 'cluster smoke');
      const result = (await client.connection.withDeadline(Date.now() + 120_000, () =>
        resumed.result(),
      )) as OnboardingResult;
      assert.equal(result.outcome, 'completed');

      // Both workers' identities are in the run's history: it really crossed from one to the other.
      const identities = new Set<string>();
      for (const event of (await resumed.fetchHistory()).events ?? []) {
        const started = event.workflowTaskStartedEventAttributes ?? event.activityTaskStartedEventAttributes;
        if (started?.identity) identities.add(started.identity);
      }
      const pids = [first.child.pid, second.child.pid].map(String);
      for (const pid of pids)
        assert.ok(
          [...identities].some((id) => id.startsWith(`${pid}@`)),
          `worker pid ${pid} worked on the run (${[...identities].join(', ')})`,
        );
    } finally {
      await second?.stop();
      await first.stop();
      await client.connection.close().catch(() => undefined);
      const records = Object.values(cluster.state.processes);
      await cluster.stop();
      await sandbox.close();
      assert.equal(postgresPid(cluster.pg), undefined, 'PostgreSQL stopped');
      assert.deepEqual(records.filter(isAlive), [], 'every service process ended');
      await rm(work, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    }
  },
);
