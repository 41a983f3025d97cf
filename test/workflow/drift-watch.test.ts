// The drift watch on a real dev server: a completed run creates its deployment's schedule (once:
// again means updated, never a second), the schedule's run checks the deployment, records its
// health, posts a notice to the monitoring webhook when something drifted, and `list --unhealthy`
// shows the deployment; `drift-watch` pauses, resumes and removes the schedule.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorkflowHarness } from '../helpers/harness.js';
import { completeOnboarding, type CompletedRun } from '../helpers/completed-run.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook.js';
import { applyDrift } from '../../sandbox/drift.js';
import { ensureSchedule } from '../../src/activities/drift-watch.js';
import { driftWatch, latestHealth, renderDriftWatch, type DriftWatchView } from '../../src/cli/drift-watch.js';
import { Refused } from '../../src/cli/runs.js';
import { signer } from '../helpers/identities.js';
import { driftWatchScheduleId } from '../../src/spec/derived.js';
import type { DriftNotice } from '../../src/activities/notifications.js';
import { createActivities } from '../../src/activities/index.js';

async function eventually<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the drift watch', () => {
  const h = useWorkflowHarness();
  let webhook: WebhookReceiver;
  let run: CompletedRun;
  before(async () => {
    webhook = await startWebhookReceiver();
  });
  after(async () => {
    await webhook?.close();
  });

  test('a completed run schedules the checks of its deployment, once', async () => {
    run = await completeOnboarding(h.client, h.sandbox, 'watched', (s) => {
      s.monitoring = { interval: '12h', webhookUrl: webhook.url };
    });
    const scheduled = run.result.audit.find((e) => e.event === 'driftWatch.scheduled');
    assert.match(scheduled?.detail ?? '', /schedule drift-watch-watched created: checks every 12h/);
    const view = (await driftWatch(h.client, 'watched', 'show')) as DriftWatchView;
    assert.equal(view.scheduleId, driftWatchScheduleId('watched'));
    assert.equal(view.paused, false);
    assert.equal(view.interval, '12h');
    assert.match(
      renderDriftWatch(view),
      /^drift watch drift-watch-watched of watched: active\n {2}every: {5}12h\n {2}next: {6}\d{4}-/,
    );
    // Again (a re-onboarding, a retried activity): the same schedule, brought up to date.
    const again = await ensureSchedule(h.client, {
      ...run.spec,
      monitoring: { ...run.spec.monitoring!, interval: '6h' },
    });
    assert.equal(again.created, false);
    assert.equal(((await driftWatch(h.client, 'watched', 'show')) as DriftWatchView).interval, '6h');
    const ids: string[] = [];
    for await (const s of h.client.schedule.list()) ids.push(s.scheduleId);
    assert.deepEqual(
      ids.filter((id) => id === driftWatchScheduleId('watched')),
      [driftWatchScheduleId('watched')],
    );
  });

  test('when it fires on a drifted deployment: health recorded, a notice posted, listed as unhealthy', async () => {
    const clientId = run.result.ids.oidcClientId!;
    await applyDrift(h.sandbox, { kind: 'esignet-client', clientId, status: 'INACTIVE' });
    await driftWatch(h.client, 'watched', 'run-now', signer('ops-1'));
    const notice = await eventually(
      async () => (webhook.notices as unknown as DriftNotice[]).find((n) => n.kind === 'drift'),
      'the drift notice',
    );
    assert.equal(notice.deploymentId, 'watched');
    assert.equal(notice.health, 'drift');
    assert.ok(
      notice.findings.some((f) => f.resource === 'esignet.client' && f.status === 'missing'),
      JSON.stringify(notice.findings),
    );
    assert.match(notice.noticeId, /^check-watched-/);
    const row = await eventually(
      async () => (await latestHealth(h.client)).find((r) => r.deploymentId === 'watched' && r.health === 'drift'),
      'the unhealthy row',
    );
    assert.match(row.workflowId, /^check-watched-/);
    // The check workflow's result is the report, with the notice's fate.
    const result = await h.client.workflow.getHandle(row.workflowId).result();
    assert.equal(result.health, 'drift');
    assert.equal(result.notice, 'delivered');

    // Fixed: the next run records ok, and the deployment leaves the unhealthy list.
    await applyDrift(h.sandbox, { kind: 'esignet-client', clientId, status: 'ACTIVE' });
    await driftWatch(h.client, 'watched', 'run-now', signer('ops-1'));
    await eventually(
      async () => ((await latestHealth(h.client, 'watched'))[0]?.health === 'ok' ? true : undefined),
      'the ok row',
    );
    assert.equal((webhook.notices as unknown as DriftNotice[]).filter((n) => n.kind === 'drift').length, 1);
  });

  test('the notice goes to approval.webhookUrl without a monitoring one, nowhere without either, never outside the egress rule', async () => {
    const notify = createActivities(h.deps).notifyDrift;
    const notice: DriftNotice = {
      noticeId: 'check-watched-fallback',
      kind: 'drift',
      deploymentId: 'watched',
      health: 'expiring',
      checkedAt: new Date().toISOString(),
      findings: [],
      howToSee: 'g2p-onboard check watched',
    };
    const base = { ...run.spec, monitoring: undefined };
    assert.equal(
      await notify({ ...base, approval: { ...base.approval, webhookUrl: webhook.url } }, notice),
      'delivered',
    );
    assert.ok((webhook.notices as unknown as DriftNotice[]).some((n) => n.noticeId === 'check-watched-fallback'));
    assert.equal(await notify({ ...base, approval: { ...base.approval, webhookUrl: undefined } }, notice), 'skipped');
    await assert.rejects(
      notify(
        { ...base, monitoring: { interval: '1d', expiryHorizon: '30d', webhookUrl: 'https://hooks.example.org/x' } },
        notice,
      ),
      /hooks\.example\.org is not a host the worker policy allows/,
    );
  });

  test("drift-watch pauses, resumes and removes the schedule on an operator's signed command, and no one else's", async () => {
    await assert.rejects(driftWatch(h.client, 'watched', 'pause', signer('staff-1'), 'not mine'), (err: Error) => {
      assert.ok(err instanceof Refused);
      assert.match(err.message, /refused/);
      return true;
    });
    assert.equal(((await driftWatch(h.client, 'watched', 'show')) as DriftWatchView).paused, false);
    const paused = (await driftWatch(
      h.client,
      'onboard-watched',
      'pause',
      signer('ops-1'),
      'maintenance',
    )) as DriftWatchView;
    assert.equal(paused.paused, true);
    assert.equal(paused.note, 'pause by ops-1: maintenance');
    const resumed = (await driftWatch(h.client, 'watched', 'resume', signer('ops-1'))) as DriftWatchView;
    assert.equal(resumed.paused, false);
    assert.deepEqual(await driftWatch(h.client, 'watched', 'remove', signer('ops-1')), {
      scheduleId: 'drift-watch-watched',
      removed: true,
    });
    await assert.rejects(driftWatch(h.client, 'watched', 'show'), (err: Error) => {
      assert.ok(err instanceof Refused);
      assert.match(err.message, /has no drift watch/);
      return true;
    });
  });
});
