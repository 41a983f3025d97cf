// A release meets parked runs half-way: 20 runs started and parked by today's build (waiting for
// approval with reminders sent, or blocked), the worker stopped, a worker of the next build
// started — a test-only variant that wraps today's workflow and adds a step, guarded with
// patched() as README "Upgrading" says — then every run approved or retried. And the same change
// without the guard is caught by the corpus replay before it could ship.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTestEnv } from '../helpers/temporal.js';
import { sandboxSpec, startTestSandbox, testCodec, testDeps } from '../helpers/fixtures.js';
import { waitForStatus } from '../helpers/harness.js';
import { approveAs } from '../helpers/approve.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook.js';
import { readCorpus, replayFailures } from '../helpers/history-corpus.js';
import { bundleVariant } from '../upgrade/variant-bundle.js';
import type { AnnounceActivities } from '../upgrade/announce.js';
import type { Sandbox } from '../../sandbox/index.js';
import { SEEDED_AUTH_POLICY } from '../../sandbox/mosip/index.js';
import type { PayloadCodec } from '@temporalio/common';
import type { ActivityDeps } from '../../src/activities/index.js';
import { createActivities } from '../../src/activities/index.js';
import { createOnboardingWorker } from '../../src/worker.js';
import { retryRun, startOnboarding } from '../../src/cli/runs.js';
import { signer } from '../helpers/identities.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { runBuildsFromMemo } from '../../src/temporal/build-memo.js';
import { auditTrailQuery, type OnboardingResult } from '../../src/workflows/messages.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { findDuplicates, type SoakDeployment } from '../../scripts/soak/duplicates.js';
import { SandboxControl } from '../../scripts/soak/sandbox-process.js';

const WAITING = 14;
const BLOCKED = 6;
const STARTED_ON_NEXT_BUILD = 2;
const UNKNOWN_POLICY = 'no-such-policy';

describe('a release meets parked runs half-way', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let webhook: WebhookReceiver;
  let codec: PayloadCodec;
  let deps: ActivityDeps;
  let client: Client;
  const variants = {} as Record<'patched' | 'unguarded', Promise<{ codePath: string }>>;

  before(async () => {
    // Bundled while the runs park (webpack, ~2 s each).
    variants.patched = bundleVariant('onboarding-patched.js');
    variants.unguarded = bundleVariant('onboarding-unguarded.js');
    env = await createTestEnv();
    sandbox = await startTestSandbox();
    webhook = await startWebhookReceiver();
    codec = testCodec();
    deps = await testDeps(sandbox);
    client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: dataConverterFor(codec),
    });
  });
  after(async () => {
    await webhook?.close();
    await sandbox?.close();
    await env?.teardown();
  });

  async function startWorker(
    workflowBundlePath?: string,
    extraActivities: object = {},
  ): Promise<{ worker: Worker; buildId: string; stop(): Promise<void> }> {
    const worker = await createOnboardingWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      codec,
      deps,
      workflowBundlePath,
      tuning: { activities: { ...createActivities(deps), ...extraActivities } },
    });
    const running = worker.run();
    return {
      worker,
      buildId: worker.options.workerDeploymentOptions!.version.buildId,
      stop: async () => {
        worker.shutdown();
        await running;
      },
    };
  }

  const spec = (id: string, policy: string) =>
    sandboxSpec(sandbox, id, (s) => {
      s.partners.auth.policy = policy;
      s.approval.reminderInterval = '2s';
      s.approval.webhookUrl = webhook.url;
    });

  async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`never: ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test("runs parked by today's build all complete on the next build, which takes its new step only where patched() lets it, and nothing is created twice", async () => {
    // Today's build parks 20 runs.
    const today = await startWorker();
    const waiting: WorkflowHandle[] = [];
    const blocked: WorkflowHandle[] = [];
    for (let i = 0; i < WAITING; i++)
      waiting.push(await startOnboarding(client, spec(`upgrade-wait-${i}`, SEEDED_AUTH_POLICY), signer('staff-1')));
    for (let i = 0; i < BLOCKED; i++)
      blocked.push(await startOnboarding(client, spec(`upgrade-blocked-${i}`, UNKNOWN_POLICY), signer('staff-1')));
    await Promise.all([
      ...waiting.map((h) =>
        until(
          async () => (await h.query(auditTrailQuery)).some((e) => e.event === 'approval.reminder'),
          `${h.workflowId} reminded`,
        ),
      ),
      ...blocked.map((h) => waitForStatus(h, (s) => s.phase === 'blocked', 60_000)),
    ]);
    await today.stop();

    // The next build takes over; it announces each onboarding, before and after (test/upgrade/).
    const announced: { workflowId: string; when: 'before' | 'after' }[] = [];
    const announce: AnnounceActivities = {
      announceOnboarding: async (workflowId, when) => void announced.push({ workflowId, when }),
    };
    const next = await startWorker((await variants.patched).codePath, announce);
    assert.notEqual(next.buildId, today.buildId, 'the changed workflow code is another build');
    try {
      const fresh: WorkflowHandle[] = [];
      for (let i = 0; i < STARTED_ON_NEXT_BUILD; i++)
        fresh.push(await startOnboarding(client, spec(`upgrade-new-${i}`, SEEDED_AUTH_POLICY), signer('staff-1')));

      const corrected = (h: WorkflowHandle): DeploymentSpec =>
        spec(h.workflowId.replace(/^onboard-/, ''), SEEDED_AUTH_POLICY);
      const results = await Promise.all([
        ...[...waiting, ...fresh].map(async (h) => {
          await waitForStatus(h, (s) => s.phase === 'awaiting_approval', 60_000);
          await approveAs(h, 'alice', 'approved after the release');
          return await h.result();
        }),
        ...blocked.map(async (h) => {
          await retryRun(h, signer('ops-1'), { comment: 'published policy', spec: corrected(h) });
          await waitForStatus(h, (s) => s.phase === 'awaiting_approval', 60_000);
          await approveAs(h, 'bob');
          return await h.result();
        }),
      ]);

      assert.deepEqual(
        results.map((r) => r.outcome),
        results.map(() => 'completed'),
        'every run completes',
      );
      const parked = [...waiting, ...blocked].map((h) => h.workflowId);
      const fresher = fresh.map((h) => h.workflowId);
      // The step added before the runbook: never for a run that had passed that point on today's build.
      assert.deepEqual(
        announced
          .filter((a) => a.when === 'before')
          .map((a) => a.workflowId)
          .sort(),
        [...fresher].sort(),
      );
      // The step added after the runbook: once for every run that reached it on the next build.
      assert.deepEqual(
        announced
          .filter((a) => a.when === 'after')
          .map((a) => a.workflowId)
          .sort(),
        [...parked, ...fresher].sort(),
      );

      // Ops see which build started a run and which runs it now.
      for (const h of [...waiting, ...blocked]) {
        assert.deepEqual(
          runBuildsFromMemo((await h.describe()).memo),
          { started: today.buildId, running: next.buildId },
          h.workflowId,
        );
      }
      for (const h of fresh)
        assert.deepEqual(runBuildsFromMemo((await h.describe()).memo), {
          started: next.buildId,
          running: next.buildId,
        });

      const deployments: SoakDeployment[] = results.map((r) => ({
        deploymentId: r.deploymentId,
        authPartnerId: r.spec.partners.auth.id,
        mispPartnerId: r.spec.partners.misp.id,
        policy: SEEDED_AUTH_POLICY,
        providerName: r.spec.openg2p.provider.name,
        oidcClientId: r.ids.oidcClientId,
        completed: true,
      }));
      const report = findDuplicates(deployments, await new SandboxControl(sandbox.urls.control).counts());
      assert.deepEqual(report.details, [], 'nothing created twice, nothing missing');
      assert.equal(report.apiKeysReissued, 0);
    } finally {
      await next.stop();
    }
  });

  test('the same change without patched() fails the corpus replay on every stored history; with patched() they all replay', async () => {
    const corpus = readCorpus();
    const unguarded = await replayFailures({ codePath: (await variants.unguarded).codePath }, corpus);
    assert.equal(unguarded.length, corpus.length, `every stored history is refused:\n${unguarded.join('\n')}`);
    for (const [i, failure] of unguarded.entries()) {
      assert.ok(failure.startsWith(`${corpus[i]!.name}: DeterminismViolationError`), failure);
      assert.match(failure, /[Nn]ondeterminism/);
    }
    assert.deepEqual(await replayFailures({ codePath: (await variants.patched).codePath }, corpus), []);
  });
});
