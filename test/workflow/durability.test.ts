// Nothing lost, nothing twice. One run per (step, moment): the sandbox holds each run's call in
// that step — before the remote side acts ("mid": the call hangs) or after it committed
// ("after": the write happens, the answer never comes) — then the worker process is killed
// with SIGKILL and a new one started. Every run must complete with exactly one partner of each
// kind, one mapping, one license, one active API key, one OIDC client and one provider.
// Then the Temporal server itself is stopped while a run waits for approval.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv } from '../helpers/temporal.js';
import { sandboxSpec, secretEnv, startTestSandbox, withLoginCheck } from '../helpers/fixtures.js';
import { approveAs } from '../helpers/approve.js';
import { sharedCodec, startWorkerProcess, type WorkerLaunch } from '../helpers/worker-launch.js';
import type { ManagedProcess } from '../../scripts/processes.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { InstalledFault } from '../../sandbox/faults.js';
import { STEP_TARGETS, type Deployment, type Moment, type Target } from '../helpers/durability-holds.js';
import { SEEDED_AUTH_POLICY } from '../../sandbox/mosip/index.js';
import { startDevServer, type DevServer } from '../../scripts/temporal/dev-server.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { statusQuery, type OnboardingResult, type StatusView, type StepName } from '../../src/workflows/messages.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import type { AesGcmCodec } from '../../src/security/codec.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { signer } from '../helpers/identities.js';

/** Worker HTTP timeouts longer than it takes every run to reach its held call, so none gives up before the kill. */
const HOLD_CALLS_MS = 110_000;

interface Scenario {
  step: StepName;
  moment: Moment;
  deployment: Deployment;
  spec: DeploymentSpec;
  target: (mappingKey: string) => Target;
  atApproval: boolean;
  approvedFirst: boolean;
  rule?: InstalledFault;
  handle?: WorkflowHandle;
  approved: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  what: string,
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
  explain?: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${explain ? `:\n${await explain()}` : ''}`);
    await sleep(everyMs);
  }
}

async function isRunning(handle: WorkflowHandle): Promise<boolean> {
  return (await handle.describe()).status.name === 'RUNNING';
}

describe('durability: nothing lost, nothing twice', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let codec: AesGcmCodec;
  let launch: Omit<WorkerLaunch, 'address'>;
  const workers: ManagedProcess[] = [];

  before(async () => {
    env = await createTestEnv();
    sandbox = await startTestSandbox();
    const dir = await mkdtemp(join(tmpdir(), 'g2p-durability-'));
    const shared = sharedCodec();
    codec = shared.codec;
    launch = {
      codecKey: shared.codecKey,
      credentialsDir: join(dir, 'credentials'),
      secretsDir: dir,
      secrets: secretEnv(sandbox),
      httpTimeoutMs: HOLD_CALLS_MS,
      httpWriteTimeoutMs: HOLD_CALLS_MS,
    };
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop(2_000)));
    await sandbox?.close();
    await env?.teardown();
  });

  const startWorker = async (address: string) => {
    const worker = await startWorkerProcess({ ...launch, address });
    workers.push(worker);
    return worker;
  };

  test(
    'a worker killed with SIGKILL in every step, mid-call and after the remote write, leaves exactly one of everything',
    { timeout: 9 * 60_000 },
    async () => {
      const client = new Client({
        connection: env.connection,
        namespace: 'default',
        dataConverter: dataConverterFor(codec),
      });
      const scenarios: Scenario[] = [];
      for (const targets of STEP_TARGETS) {
        for (const moment of ['mid', 'after'] as const) {
          const target = targets[moment];
          if (!target) continue;
          const id = `k${String(scenarios.length + 1).padStart(2, '0')}`;
          const deployment: Deployment = { id, auth: `${id}-auth`, misp: `${id}-misp`, provider: `e-Signet ${id}` };
          const spec = sandboxSpec(sandbox, id, (s) => {
            s.openg2p.provider = { ...s.openg2p.provider, name: deployment.provider };
            if (targets.loginCheck === moment) withLoginCheck(sandbox)(s);
          });
          scenarios.push({
            step: targets.step,
            moment,
            deployment,
            spec,
            target: (key) => target(deployment, key),
            atApproval: targets.atApproval ?? false,
            approvedFirst: targets.approvedFirst === moment,
            approved: false,
          });
        }
      }
      const hold = (s: Scenario, mappingKey = '') => {
        s.rule = sandbox.faults.add({
          ...s.target(mappingKey),
          kind: s.moment === 'mid' ? 'hang' : 'commit-then-hang',
          count: 1,
        });
      };
      for (const s of scenarios) if (!s.atApproval) hold(s);

      let worker = await startWorker(env.address);
      // The discovery hold is not narrowed to one deployment: its run goes first, alone.
      const [first, ...rest] = scenarios;
      first!.handle = await startOnboarding(client, first!.spec, signer('staff-1'));
      await first!.rule!.firstHit;
      for (const s of rest) s.handle = await startOnboarding(client, s.spec, signer('staff-1'));

      /** Approves runs that wait, holding approval-time calls first; true once every hold has caught its call. */
      const drive = async (): Promise<boolean> => {
        const othersWait = scenarios.some((s) => s.approvedFirst && !s.rule?.injected);
        for (const s of scenarios) {
          if (s.approved || (othersWait && !s.approvedFirst)) continue;
          const status: StatusView = await s.handle!.query(statusQuery);
          if (status.phase !== 'awaiting_approval') continue;
          if (s.atApproval && !s.rule) hold(s, status.pendingApproval!.mappingKey);
          // The portal poll must be caught before the approval makes it unnecessary.
          if (s.atApproval && s.moment === 'mid' && s.rule!.injected === 0) continue;
          await approveAs(s.handle!, 'alice', `durability ${s.step}/${s.moment}`);
          s.approved = true;
        }
        return scenarios.every((s) => (s.rule?.injected ?? 0) > 0);
      };
      const unheld = async () => {
        const lines = await Promise.all(
          scenarios
            .filter((s) => !s.rule?.injected)
            .map(async (s) => {
              const status = await s.handle!.query(statusQuery);
              return `${s.deployment.id} ${s.step}/${s.moment}: phase ${status.phase}, step ${status.currentStep}, ${JSON.stringify(status.lastError ?? null)}`;
            }),
        );
        return lines.join('\n');
      };
      await waitFor('every run to reach its held call', drive, 90_000, 300, unheld);

      worker.kill('SIGKILL');
      await new Promise((r) => worker.child.once('exit', r));
      worker = await startWorker(env.address);

      // Runs held before their approval reach it only now.
      await waitFor(
        'every run to finish',
        async () => {
          const running = await Promise.all(scenarios.map(async (s) => ({ s, running: await isRunning(s.handle!) })));
          for (const { s, running: isOn } of running) {
            if (!isOn || s.approved) continue;
            const status = await s.handle!.query(statusQuery);
            if (status.phase === 'awaiting_approval') {
              await approveAs(s.handle!, 'alice', `durability ${s.step}/${s.moment}`);
              s.approved = true;
            }
          }
          return running.every((r) => !r.running);
        },
        7 * 60_000,
        1_000,
      );

      const counts = sandbox.mosip.counts();
      const problems: string[] = [];
      for (const s of scenarios) {
        const { auth, misp, provider } = s.deployment;
        const label = `${s.step}/${s.moment} (${s.deployment.id})`;
        const result = await s.handle!.result();
        const expectOne = (what: string, n: number | undefined) => {
          if (n !== 1) problems.push(`${label}: ${what} created ${n ?? 0} times`);
        };
        if (result.outcome !== 'completed') problems.push(`${label}: outcome ${result.outcome}`);
        expectOne('Auth Partner', counts.partners[auth]);
        expectOne('MISP Partner', counts.partners[misp]);
        expectOne('policy mapping', counts.policyMappings[`${auth}/${SEEDED_AUTH_POLICY}`]);
        expectOne('MISP license', counts.mispLicenses[misp]);
        expectOne(
          'active API key',
          sandbox.mosip.state.apiKeys.filter((k) => k.partnerId === auth && k.isActive).length,
        );
        expectOne('OIDC client', [...sandbox.esignet.clients.values()].filter((c) => c.relyingPartyId === auth).length);
        expectOne(
          'OIDC client registration',
          result.ids.oidcClientId ? sandbox.esignet.createCounts[result.ids.oidcClientId] : 0,
        );
        expectOne('OpenG2P provider', sandbox.odoo.providerCreateCounts[provider]);
        if (s.rule?.injected !== 1) problems.push(`${label}: its call was held ${s.rule?.injected ?? 0} times`);
      }
      assert.deepEqual(problems, []);
      // A key lost with its answer is deactivated and replaced, never left active.
      const lostKey = scenarios.find((s) => s.step === 'collectCredentials' && s.moment === 'after')!;
      assert.equal(sandbox.mosip.state.apiKeys.filter((k) => k.partnerId === lostKey.deployment.auth).length, 2);
    },
  );

  test(
    'a run waiting for approval survives a restart of the Temporal server on the same SQLite file',
    { timeout: 3 * 60_000 },
    async () => {
      const dbFile = join(await mkdtemp(join(tmpdir(), 'g2p-restart-')), 'temporal.db');
      let server: DevServer = await startDevServer({ dbFile, ui: false });
      const port = Number(server.address.split(':').at(-1));
      try {
        let worker = await startWorker(server.address);
        const connect = async () =>
          new Client({
            connection: await Connection.connect({ address: server.address }),
            dataConverter: dataConverterFor(codec),
          });
        let client = await connect();
        const spec = sandboxSpec(sandbox, 'restart-1', (s) => {
          s.openg2p.provider = { ...s.openg2p.provider, name: 'e-Signet restart-1' };
        });
        const started = await startOnboarding(client, spec, signer('staff-1'));
        await waitFor(
          'the run to wait for approval',
          async () => (await started.query(statusQuery)).phase === 'awaiting_approval',
          60_000,
        );
        await client.connection.close();

        await server.stop();
        server = await startDevServer({ dbFile, ui: false, port });
        client = await connect();
        // A worker that gave up while the server was away is replaced; one that reconnected is kept.
        if (worker.child.exitCode !== null || worker.child.signalCode !== null)
          worker = await startWorker(server.address);
        const handle = client.workflow.getHandle(started.workflowId);
        await waitFor(
          'the run to answer again',
          async () => (await handle.query(statusQuery).catch(() => undefined))?.phase === 'awaiting_approval',
          60_000,
          500,
        );
        await approveAs(handle, 'bob', 'after the restart');
        const result = await handle.result();
        assert.equal(result.outcome, 'completed');
        assert.equal(result.approvals.at(-1)?.approver, 'bob');
        assert.equal(sandbox.mosip.counts().partners[spec.partners.auth.id], 1);
        assert.equal(sandbox.odoo.providerCreateCounts['e-Signet restart-1'], 1);
        await client.connection.close();
        await worker.stop(5_000);
      } finally {
        await server.stop();
      }
    },
  );
});
