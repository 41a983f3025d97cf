// Long waits on the time-skipping test server: fourteen days of daily reminders in seconds,
// one escalation, the timeout, hours of PMS polling that write no history, and a wait long
// enough to continue the run as new.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../helpers/temporal.js';
import { waitForStatus } from '../helpers/harness.js';
import { sandboxSpec, startTestSandbox, testCodec, testDeps } from '../helpers/fixtures.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook.js';
import { decisionToken } from '../helpers/approve.js';
import type { Sandbox } from '../../sandbox/index.js';
import { createOnboardingWorker } from '../../src/worker.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { approveUpdate, statusQuery, type OnboardingResult } from '../../src/workflows/messages.js';
import { signer } from '../helpers/identities.js';

describe('approval timing (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let webhook: WebhookReceiver;

  before(async () => {
    const codec = testCodec();
    env = await createTimeSkippingEnv(codec);
    sandbox = await startTestSandbox();
    webhook = await startWebhookReceiver();
    worker = await createOnboardingWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      codec,
      deps: await testDeps(sandbox),
    });
    running = worker.run();
    client = env.client;
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await webhook?.close();
    await sandbox?.close();
    await env?.teardown();
  });

  test('a 14-day wait with daily reminders sends 13 reminders, one escalation at day 7, then times out', async () => {
    const spec = sandboxSpec(sandbox, 'slow-admins', (s) => {
      s.approval.deadline = '14d';
      s.approval.reminderInterval = '1d';
      s.approval.escalateAfter = '7d';
      s.approval.pollInterval = '12h';
      s.approval.webhookUrl = webhook.url;
    });
    const handle = await startOnboarding(client, spec, signer('staff-1'), new Date(await env.currentTimeMs()));
    const result = await handle.result();
    assert.equal(result.outcome, 'timed_out');
    const mine = webhook.notices.filter((n) => n.deploymentId === 'slow-admins');
    assert.equal(mine.filter((n) => n.kind === 'reminder').length, 13);
    assert.equal(mine.filter((n) => n.kind === 'escalation').length, 1);
    assert.equal(mine.filter((n) => n.kind === 'timeout').length, 1);
    const opened = Date.parse(mine[0]!.waitingSince);
    const escalation = result.audit.find((e) => e.event === 'approval.escalation')!;
    assert.equal(Math.round((Date.parse(escalation.at) - opened) / 86_400_000), 7);
    assert.deepEqual(mine[0]!.awaiting, ['alice', 'bob']);
    assert.match(mine[0]!.howToApprove, /g2p-onboard approve slow-admins/);
    assert.equal(result.steps.find((s) => s.name === 'awaitApproval')?.status, 'completed');
    assert.ok(result.steps.filter((s) => s.status === 'skipped').length === 5, 'nothing after the approval ran');
  });

  test('hours of 1-minute PMS polling add no history per poll, and a portal approval is noticed', async () => {
    const spec = sandboxSpec(sandbox, 'quiet-wait', (s) => {
      s.approval.pollInterval = '1m';
      s.approval.deadline = '14d';
    });
    const handle = await startOnboarding(client, spec, signer('staff-1'), new Date(await env.currentTimeMs()));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    const eventsBefore = await historyLength(handle.workflowId);
    const searchesBefore = mappingSearches();
    await env.sleep('6h');
    const status = await handle.query(statusQuery);
    assert.equal(status.phase, 'awaiting_approval');
    assert.ok(
      mappingSearches() - searchesBefore >= 300,
      `PMS was asked every minute while the run waited (${mappingSearches() - searchesBefore} searches in 6 h)`,
    );
    // The watch is one scheduled activity from the start of the wait; the ~360 polls it makes
    // add nothing (timer-based polling added ~11 events each).
    const added = (await historyLength(handle.workflowId)) - eventsBefore;
    assert.ok(added <= 8, `six hours of polling added ${added} history events`);
    // The Partner Admin approves in the PMS portal; the next poll notices it.
    const mappingKey = status.ids.policyMappingKey!;
    sandbox.mosip.approveMapping(mappingKey);
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    assert.ok(
      result.audit.some((e) => e.event === 'approval.pms.approved'),
      'the portal approval is in the audit trail',
    );
  });

  test('a wait long enough to fill history with reminders continues as new, keeps its state, and completes on approval', async () => {
    const spec = sandboxSpec(sandbox, 'long-wait', (s) => {
      s.approval.pollInterval = '1h';
      s.approval.reminderInterval = '5m';
      s.approval.deadline = '14d';
      s.approval.webhookUrl = webhook.url;
    });
    const handle = await startOnboarding(client, spec, signer('staff-1'), new Date(await env.currentTimeMs()));
    // ~8 events per reminder: past the 2,000-event mark after about 21 hours.
    await env.sleep('30h');
    const status = await handle.query(statusQuery);
    assert.equal(status.phase, 'awaiting_approval');
    assert.ok(
      status.steps.slice(0, 5).every((s) => s.status === 'completed'),
      'steps before the wait are kept',
    );
    // Decisions are signed "now" — the server's skipped-ahead clock, not this machine's.
    const token = await decisionToken(handle, 'bob', 'approve', 'after thirty hours', {
      iat: Math.floor((await env.currentTimeMs()) / 1000),
    });
    await handle.executeUpdate(approveUpdate, { args: [{ token }] });
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    const continued = result.audit.filter((e) => e.event === 'run.continued').length;
    assert.ok(continued >= 1, `expected the run to continue as new at least once, saw ${continued}`);
    const reminders = webhook.notices.filter((n) => n.deploymentId === 'long-wait' && n.kind === 'reminder');
    assert.equal(
      new Set(reminders.map((n) => n.noticeId)).size,
      reminders.length,
      'notice ids stay unique across continued runs',
    );
    const history = await client.workflow.getHandle(handle.workflowId).fetchHistory();
    assert.ok(
      (history.events?.length ?? 0) < 2_500,
      `the last run's history stays bounded (${history.events?.length} events)`,
    );
  });

  async function historyLength(workflowId: string): Promise<number> {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return history.events?.length ?? 0;
  }

  function mappingSearches(): number {
    return sandbox.requests.filter((r) => r.system === 'mosip' && r.path.endsWith('/partners/apikey/request/search'))
      .length;
  }
});
