// The run of issue #14: blocked at configureOpenG2P, resumed with a spec whose openg2p.url moved.
// verifyIntegration's consistency checks find e-Signet's client still registered for the old
// redirect URI and block the run saying so, instead of completing with a login that cannot work.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sandboxSpec } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { approveAs } from '../helpers/approve.js';
import { signer } from '../helpers/identities.js';
import { retryRun, startOnboarding } from '../../src/cli/runs.js';

describe('a stale redirect URI after a retry that moved openg2p.url', () => {
  const h = useWorkflowHarness();

  test('verifyIntegration blocks as RedirectUriStale, naming the URI e-Signet does not have', async () => {
    const spec = sandboxSpec(h.sandbox, 'moved-url', (s) => {
      s.openg2p!.provider = { ...s.openg2p!.provider, userGroupXmlId: 'base.no_such_group' };
    });
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await approveAs(handle, 'alice', 'ok');
    const blocked = await waitForStatus(handle, (s) => s.phase === 'blocked');
    assert.equal(blocked.lastError?.step, 'configureOpenG2P');

    // The same OpenG2P under another name: its redirect URI changes, the server does not.
    const moved = sandboxSpec(h.sandbox, 'moved-url', (s) => {
      s.openg2p!.url = h.sandbox.urls.odoo.replace('127.0.0.1', 'localhost');
    });
    assert.notEqual(moved.openg2p.url, spec.openg2p.url);
    await retryRun(handle, signer('ops-1'), { comment: 'OpenG2P moved', spec: moved });
    const stale = await waitForStatus(
      handle,
      (s) => s.phase === 'blocked' && s.lastError?.step === 'verifyIntegration',
    );
    assert.equal(stale.lastError?.type, 'RedirectUriStale');
    assert.match(stale.lastError!.message, /not registered: http:\/\/localhost:\d+\/auth_oauth\/signin/);
    assert.match(stale.lastError!.hint, /retry <id> --spec/);
  });
});
