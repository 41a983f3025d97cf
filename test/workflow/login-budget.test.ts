// The end-to-end login check spends a real person's one-time passwords: one per attempt, at most
// verification.maxOtps per run (a retry by ops included), and a failure names the call and its answer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import { sandboxSpec, withLoginCheck } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { approveAs } from '../helpers/approve.js';
import { signer } from '../helpers/identities.js';
import { createActivities } from '../../src/activities/index.js';
import { Refused, retryRun, startOnboarding } from '../../src/cli/runs.js';
import type { DeploymentSpecInput } from '../../src/spec/schema.js';

const sendOtps = (h: ReturnType<typeof useWorkflowHarness>) =>
  h.sandbox.requests.filter((r) => r.method === 'POST' && r.route === '/v1/esignet/authorization/send-otp').length;

async function retry(handle: WorkflowHandle): Promise<void> {
  try {
    await retryRun(handle, signer('ops-1'), { comment: 'token endpoint fixed' });
  } catch (err) {
    if (err instanceof Refused) throw new Error(`retry refused: ${err.message}`);
    throw err;
  }
}

describe('the login check on a compatible pair (e-Signet 1.5.1, OpenG2P 1.x)', () => {
  const h = useWorkflowHarness({ esignetVersion: '1.5.1', odooVersion: 15 });
  const spec = (id: string, change?: (s: DeploymentSpecInput) => void) =>
    sandboxSpec(h.sandbox, id, (s) => {
      s.esignet.version = '1.5.1';
      withLoginCheck(h.sandbox)(s);
      change?.(s);
    });

  test('verifyPrerequisites confirms the release and the pair from what the servers show', async () => {
    const report = await createActivities(h.deps).verifyPrerequisites(spec('compat-ok'));
    const check = (name: string) => report.checks.find((c) => c.name === name);
    assert.match(check('esignet.version')?.evidence ?? '', /e-Signet 1\.5\.1: .*actuator\/info reports build 1\.5\.1/);
    assert.match(
      check('openg2p.providerModel')?.evidence ?? '',
      /auth_oauth 15\.0\.1\.0, auth_oidc 15\.0\.1\.0\.1, g2p_auth_id_oidc 15\.0\.1\.1\.0/,
    );
    assert.equal(check('login.compatibility')?.ok, true);
    assert.match(check('login.compatibility')?.evidence ?? '', /can log in \(openg2p-1\.x-with-esignet-before-1\.6;/);
    assert.equal(report.esignetVersion, '1.5.1');
  });

  test('a spec version the server contradicts is reported, naming both', async () => {
    await assert.rejects(
      createActivities(h.deps).verifyPrerequisites(spec('compat-wrong-version', (s) => (s.esignet.version = '1.4.1'))),
      /esignet\.version: spec says esignet\.version 1\.4\.1, but .*actuator\/info reports build 1\.5\.1: set esignet\.version: 1\.5\.1/,
    );
  });

  test('a login that keeps failing sends one OTP per attempt, blocks at verification.maxOtps naming the call, and a retry by ops sends none', async () => {
    // OpenG2P's token request fails: its callback answers oauth_error=2 every time.
    h.sandbox.faults.add({ method: 'POST', path: '/v1/esignet/oauth/v2/token', kind: 'error', status: 503 });
    const handle = await startOnboarding(h.client, spec('otp-budget'), signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    const before = sendOtps(h);
    await approveAs(handle, 'alice', 'checked');
    const blocked = await waitForStatus(handle, (s) => s.phase === 'blocked', 60_000);
    assert.equal(blocked.lastError?.step, 'verifyIntegration');
    assert.equal(blocked.lastError?.type, 'LoginBudgetSpent');
    assert.equal(sendOtps(h) - before, 2, 'one OTP per attempt, two attempts (verification.maxOtps defaults to 2)');
    const message = blocked.lastError?.message ?? '';
    assert.match(
      message,
      new RegExp(
        `GET ${h.sandbox.urls.odoo.replace(/[.]/g, '\\.')}/auth_oauth/signin\\?code=\\*\\*\\*&state=… answered HTTP 303 → /web/login\\?oauth_error=2`,
      ),
    );
    assert.match(message, /one-time password 2 of verification\.maxOtps 2: none left for this run/);
    assert.match(blocked.lastError?.hint ?? '', /higher verification\.maxOtps/);
    assert.doesNotMatch(message, new RegExp(h.sandbox.credentials.verificationOtp));

    await retry(handle);
    const again = await waitForStatus(
      handle,
      (s) => s.phase === 'blocked' && (s.steps.find((st) => st.name === 'verifyIntegration')?.retries ?? 0) >= 1,
      60_000,
    );
    assert.equal(again.lastError?.type, 'LoginBudgetSpent');
    assert.match(again.lastError?.message ?? '', /not tried: this run's login checks may already have sent 2/);
    assert.equal(sendOtps(h) - before, 2, 'the retried step sent no OTP: the budget is per run');
  });
});
