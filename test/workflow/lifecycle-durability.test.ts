// Day two, nothing lost, nothing twice: one onboarded deployment per (operation, step, moment);
// the sandbox holds that step's call — before the remote side acts or after it committed — and
// the worker process is killed with SIGKILL, then a new one started. Every operation must finish
// as if nothing happened: after a key rotation exactly one ACTIVE client (the new one, in OpenG2P),
// after a credential rotation one active API key and one active license (the worker's), after an
// update or a certificate renewal the same client, after offboarding nothing active at all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv } from '../helpers/temporal.js';
import { sandboxSpec, secretEnv, startTestSandbox } from '../helpers/fixtures.js';
import { approveAs } from '../helpers/approve.js';
import { sharedCodec, startWorkerProcess, type WorkerLaunch } from '../helpers/worker-launch.js';
import { LIFECYCLE_HOLDS, type LifecycleHold, type Onboarded } from '../helpers/lifecycle-holds.js';
import type { ManagedProcess } from '../../scripts/processes.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { InstalledFault } from '../../sandbox/faults.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { startLifecycle } from '../../src/cli/lifecycle.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { LifecycleResult } from '../../src/workflows/lifecycle/messages.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { CredentialStore } from '../../src/activities/credential-store.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { signer } from '../helpers/identities.js';

const HOLD_CALLS_MS = 110_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 500,
  explain?: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${explain ? `:\n${await explain()}` : ''}`);
    await sleep(everyMs);
  }
}

interface Scenario extends LifecycleHold {
  spec: DeploymentSpec;
  d: Onboarded;
  rule?: InstalledFault;
  handle?: WorkflowHandle;
  approved: boolean;
}

describe('durability of day-two operations', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let launch: Omit<WorkerLaunch, 'address'>;
  let client: Client;
  const workers: ManagedProcess[] = [];

  before(async () => {
    env = await createTestEnv();
    sandbox = await startTestSandbox();
    const dir = await mkdtemp(join(tmpdir(), 'g2p-lifecycle-durability-'));
    const shared = sharedCodec();
    launch = {
      codecKey: shared.codecKey,
      credentialsDir: join(dir, 'credentials'),
      secretsDir: dir,
      secrets: secretEnv(sandbox),
      httpTimeoutMs: HOLD_CALLS_MS,
      httpWriteTimeoutMs: HOLD_CALLS_MS,
    };
    client = new Client({
      connection: env.connection,
      namespace: 'default',
      dataConverter: dataConverterFor(shared.codec),
    });
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop(2_000)));
    await sandbox?.close();
    await env?.teardown();
  });

  const startWorker = async () => {
    const worker = await startWorkerProcess({ ...launch, address: env.address });
    workers.push(worker);
    return worker;
  };

  test(
    'a worker killed with SIGKILL in every step of every operation, mid-call and after the remote write, leaves exactly what the operation promises',
    { timeout: 12 * 60_000 },
    async () => {
      let worker = await startWorker();
      const store = new CredentialStore(launch.credentialsDir);
      // Onboard one deployment per scenario, all at once.
      const scenarios: Scenario[] = await Promise.all(
        LIFECYCLE_HOLDS.map(async (hold, i) => {
          const id = `lk${String(i + 1).padStart(2, '0')}`;
          const spec = sandboxSpec(sandbox, id, (s) => {
            s.openg2p.provider = { ...s.openg2p.provider, name: `e-Signet ${id}` };
          });
          const handle = await startOnboarding(client, spec, signer('staff-1'));
          await waitFor(
            'approval',
            async () => (await handle.query(statusQuery)).phase === 'awaiting_approval',
            120_000,
          );
          await approveAs(handle, 'alice', 'onboard for the durability test');
          const result = await handle.result();
          assert.equal(result.outcome, 'completed', `${id} onboarded`);
          const stored = await store.read(id);
          const d: Onboarded = {
            id,
            auth: spec.partners.auth.id,
            misp: spec.partners.misp.id,
            clientId: result.ids.oidcClientId!,
            providerId: result.ids.openg2pProviderId!,
            policyId: stored.apiKey!.policyId,
            certificates: {
              authPartner: stored.authPartner!.certificatePem,
              mispPartner: stored.mispPartner!.certificatePem,
            },
          };
          return { ...hold, spec, d, approved: false };
        }),
      );
      for (const s of scenarios)
        s.rule = sandbox.faults.add({
          ...s.target(s.d),
          kind: s.moment === 'mid' ? 'hang' : 'commit-then-hang',
          count: 1,
        });
      for (const s of scenarios)
        s.handle = await startLifecycle(client, s.operation, s.spec, signer('staff-1'), { comment: 'durability' });

      const approveWaiting = async () => {
        for (const s of scenarios) {
          if (s.approved || s.operation !== 'offboard') continue;
          if ((await s.handle!.query(statusQuery)).phase !== 'awaiting_approval') continue;
          await approveAs(s.handle!, 'alice', 'offboard for the durability test');
          s.approved = true;
        }
      };
      await waitFor(
        'every operation to reach its held call',
        async () => {
          await approveWaiting();
          return scenarios.every((s) => (s.rule?.injected ?? 0) > 0);
        },
        180_000,
        1_000,
        async () => {
          // The operations that never reached their held call, and where they are instead.
          const lines = await Promise.all(
            scenarios
              .filter((s) => (s.rule?.injected ?? 0) === 0)
              .map(async (s) => {
                const st = await s.handle!.query(statusQuery).catch((err: Error) => `query failed: ${err.message}`);
                return `${s.operation} ${s.step}/${s.moment} (${s.d.id}): ${typeof st === 'string' ? st : `${st.phase} at ${st.currentStep} ${JSON.stringify(st.lastError ?? null)}`}\n`;
              }),
          );
          return lines.join('');
        },
      );

      worker.kill('SIGKILL');
      await new Promise((r) => worker.child.once('exit', r));
      worker = await startWorker();

      await waitFor(
        'every operation to finish',
        async () => {
          await approveWaiting();
          const states = await Promise.all(scenarios.map(async (s) => (await s.handle!.describe()).status.name));
          return states.every((st) => st !== 'RUNNING');
        },
        8 * 60_000,
        1_000,
        async () => {
          const lines = await Promise.all(
            scenarios.map(async (s) => {
              const d = await s.handle!.describe();
              if (d.status.name !== 'RUNNING') return '';
              const st = await s.handle!.query(statusQuery).catch((err: Error) => `query failed: ${err.message}`);
              const pending = d.raw.pendingActivities?.[0];
              return `${s.operation} ${s.step}/${s.moment} (${s.d.id}): ${typeof st === 'string' ? st : `${st.phase} at ${st.currentStep} ${JSON.stringify(st.lastError ?? null)}`}; pending ${pending?.activityType?.name ?? '-'} ${pending?.lastFailure?.message ?? ''}\n`;
            }),
          );
          return `${lines.join('')}worker output:\n${worker.output.slice(-30).join('\n')}`;
        },
      );

      const problems: string[] = [];
      for (const s of scenarios) {
        const label = `${s.operation} ${s.step}/${s.moment} (${s.d.id})`;
        const result = (await s.handle!.result()) as LifecycleResult;
        if (result.outcome !== 'completed') problems.push(`${label}: outcome ${result.outcome}`);
        if (s.rule?.injected !== 1) problems.push(`${label}: its call was held ${s.rule?.injected ?? 0} times`);
        const clients = [...sandbox.esignet.clients.values()].filter((c) => c.relyingPartyId === s.d.auth);
        const active = clients.filter((c) => c.status === 'ACTIVE');
        const provider = sandbox.odoo.providers.get(s.d.providerId)!;
        const stored = await store.read(s.d.id);
        const keys = sandbox.mosip.state.apiKeys.filter((k) => k.partnerId === s.d.auth && k.isActive);
        const licenses = sandbox.mosip.state.mispLicenses.filter((l) => l.mispId === s.d.misp && l.isActive);
        const expect = (what: string, ok: boolean) => {
          if (!ok) problems.push(`${label}: ${what}`);
        };
        if (s.operation === 'rotate-key') {
          expect(`${active.length} ACTIVE clients, not 1`, active.length === 1);
          expect(`${clients.length} clients, not 2`, clients.length === 2);
          expect('the new client is not the ACTIVE one', active[0]?.clientId !== s.d.clientId);
          expect('OpenG2P does not hold the ACTIVE client', provider.client_id === active[0]?.clientId);
          expect(
            "the worker's store does not name the ACTIVE client",
            stored.oidcClient?.clientId === active[0]?.clientId,
          );
          expect('a rotation key left behind', stored.nextClientKey === undefined);
        } else if (s.operation === 'rotate-credentials') {
          expect(`${keys.length} active API keys, not 1`, keys.length === 1 && keys[0]!.label === stored.apiKey?.label);
          expect(
            `${licenses.length} active licenses, not 1 (the worker's)`,
            licenses.length === 1 && licenses[0]!.licenseKey === stored.mispLicenseKey,
          );
          expect('the client changed', active.length === 1 && active[0]!.clientId === s.d.clientId);
        } else if (s.operation === 'update' || s.operation === 'renew-certificates') {
          expect(
            'the client changed',
            active.length === 1 && clients.length === 1 && active[0]!.clientId === s.d.clientId,
          );
          expect('OpenG2P does not hold the client', provider.client_id === s.d.clientId && provider.enabled === true);
          if (s.operation === 'renew-certificates') {
            expect('a renewal left pending', Object.keys(stored.pendingCertificates ?? {}).length === 0);
            for (const role of ['authPartner', 'mispPartner'] as const)
              expect(`${role}: certificate not renewed`, stored[role]?.certificatePem !== s.d.certificates[role]);
          }
        } else {
          expect(`${active.length} ACTIVE clients after offboarding`, active.length === 0);
          expect('the provider is still enabled', provider.enabled === false);
          expect(`${keys.length} active API keys after offboarding`, keys.length === 0);
          expect(`${licenses.length} active licenses after offboarding`, licenses.length === 0);
          expect(
            'a partner still active',
            [s.d.auth, s.d.misp].every((p) => sandbox.mosip.state.partners.get(p)?.isActive === false),
          );
        }
      }
      assert.deepEqual(problems, []);
    },
  );
});
