// The run of issue #14: blocked at configureOpenG2P, resumed with a spec whose openg2p.url moved.
// The retry re-applies every finished step whose inputs changed: e-Signet's client is updated to the
// new redirect URI (the old one refused), the OpenG2P provider is written again, verifyIntegration's
// consistency checks pass, and the audit trail says which steps were re-applied and why.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sandboxSpec } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { approveAs } from '../helpers/approve.js';
import { signer } from '../helpers/identities.js';
import { retryRun, startOnboarding } from '../../src/cli/runs.js';
import { applyDrift } from '../../sandbox/drift.js';
import { reapplyPlan } from '../../src/workflows/reapply.js';
import type { OnboardingResult } from '../../src/workflows/messages.js';
import { planChange } from '../../src/cli/plan.js';
import { loadAudit } from '../../src/cli/audit.js';
import { renderStep } from '../../src/cli/render.js';

const reapplied = (result: OnboardingResult) =>
  result.audit.filter((e) => e.event === 'step.reapplied').map((e) => e.step);

describe('a retry that moved openg2p.url re-applies the steps it changed', () => {
  const h = useWorkflowHarness();

  test('blocked at configureOpenG2P: the client gets the new redirect URI and the run completes', async () => {
    const spec = sandboxSpec(h.sandbox, 'moved-url', (s) => {
      s.openg2p!.provider = { ...s.openg2p!.provider, userGroupXmlId: 'base.no_such_group' };
    });
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await approveAs(handle, 'alice', 'ok');
    const blocked = await waitForStatus(handle, (s) => s.phase === 'blocked');
    assert.equal(blocked.lastError?.step, 'configureOpenG2P');
    const clientId = blocked.ids.oidcClientId!;
    const oldUri = `${spec.openg2p.url}/auth_oauth/signin`;
    assert.deepEqual(h.sandbox.esignet.clients.get(clientId)?.redirectUris, [oldUri]);

    // The same OpenG2P under another name: its redirect URI changes, the server does not.
    const moved = sandboxSpec(h.sandbox, 'moved-url', (s) => {
      s.openg2p!.url = h.sandbox.urls.odoo.replace('127.0.0.1', 'localhost');
    });
    const newUri = `${moved.openg2p.url}/auth_oauth/signin`;
    assert.notEqual(newUri, oldUri);
    // What the CLI shows before it sends the retry: the steps re-applied, and the plan of the change.
    const change = await planChange(h.client, handle, moved);
    assert.ok(change, 'the run is blocked: a plan of the change is made');
    assert.ok(change.plan, change.text);
    assert.deepEqual(
      change.reapply.reapply.map((r) => r.step),
      ['verifyPrerequisites', 'registerOidcClient'],
    );
    const planned = change.plan.items.find((i) => i.resource === 'OIDC client');
    assert.equal(planned?.action, 'update');
    assert.deepEqual(planned?.changes?.find((c) => c.field === 'redirectUris')?.wanted, [newUri]);
    assert.match(change.text, /re-applies: verifyPrerequisites \(openg2p\.url\); registerOidcClient \(openg2p\.url\)/);
    await retryRun(handle, signer('ops-1'), { comment: 'OpenG2P moved', spec: moved, plan: change.claim });
    const result = await handle.result();

    // The plan shown is bound to the signed retry in the audit trail.
    const audit = await loadAudit(h.client, handle.workflowId, true);
    const retry = audit.entries.find((e) => e.event === 'run.retry');
    assert.equal(retry?.plan?.digest, change.plan.digest);
    assert.equal(retry?.verified, true);
    assert.equal(result.outcome, 'completed', JSON.stringify(result.steps.find((s) => s.status === 'blocked')));
    assert.deepEqual(h.sandbox.esignet.clients.get(clientId)?.redirectUris, [newUri]);
    assert.deepEqual(reapplied(result), ['verifyPrerequisites', 'registerOidcClient']);
    const reapplying = result.audit.find((e) => e.event === 'step.reapplying' && e.step === 'registerOidcClient');
    assert.match(reapplying?.detail ?? '', /inputs changed: openg2p\.url/);
    const registered = result.steps.find((s) => s.name === 'registerOidcClient')!;
    assert.equal(registered.reapplied, 1);
    assert.match(renderStep(registered), /re-applied 1×/);
    assert.equal(result.steps.find((s) => s.name === 'verifyIntegration')?.status, 'completed');
    // The provider was written with the corrected spec (the blocked step itself ran with it).
    assert.equal(result.spec.openg2p.url, moved.openg2p.url);
  });

  test('blocked at verifyIntegration: the finished provider and client are both re-applied', async () => {
    const spec = sandboxSpec(h.sandbox, 'moved-late', (s) => {
      s.openg2p!.provider = { ...s.openg2p!.provider, userGroupXmlId: 'base.no_such_group' };
    });
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await approveAs(handle, 'alice', 'ok');
    const blocked = await waitForStatus(handle, (s) => s.phase === 'blocked');
    const clientId = blocked.ids.oidcClientId!;
    // Someone deactivates the client in e-Signet meanwhile; the group is fixed: verifyIntegration blocks.
    await applyDrift(h.sandbox, { kind: 'esignet-client', clientId, status: 'INACTIVE' });
    const fixed = sandboxSpec(h.sandbox, 'moved-late');
    await retryRun(handle, signer('ops-1'), { comment: 'group fixed', spec: fixed });
    const drifted = await waitForStatus(
      handle,
      (s) => s.phase === 'blocked' && s.lastError?.step === 'verifyIntegration',
    );
    assert.equal(drifted.lastError?.type, 'ConsistencyDrift');

    const moved = sandboxSpec(h.sandbox, 'moved-late', (s) => {
      s.openg2p!.url = h.sandbox.urls.odoo.replace('127.0.0.1', 'localhost');
    });
    await retryRun(handle, signer('ops-1'), { comment: 'OpenG2P moved', spec: moved });
    const result = await handle.result();
    assert.equal(result.outcome, 'completed', JSON.stringify(result.steps.find((s) => s.status === 'blocked')));
    assert.deepEqual(reapplied(result), ['verifyPrerequisites', 'registerOidcClient', 'configureOpenG2P']);
    const client = h.sandbox.esignet.clients.get(clientId)!;
    assert.equal(client.status, 'ACTIVE');
    assert.deepEqual(client.redirectUris, [`${moved.openg2p.url}/auth_oauth/signin`]);
    assert.match(result.steps.find((s) => s.name === 'configureOpenG2P')?.summary ?? '', /updated/);
  });

  test('blocked as RedirectUriStale: a plain retry registers the redirect URIs again', async () => {
    const spec = sandboxSpec(h.sandbox, 'uri-drift', (s) => {
      s.openg2p!.provider = { ...s.openg2p!.provider, userGroupXmlId: 'base.no_such_group' };
    });
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await approveAs(handle, 'alice', 'ok');
    const blocked = await waitForStatus(handle, (s) => s.phase === 'blocked');
    const clientId = blocked.ids.oidcClientId!;
    // Someone edits the client's redirect URIs in e-Signet meanwhile.
    await applyDrift(h.sandbox, { kind: 'esignet-client', clientId, redirectUris: ['https://elsewhere.example/cb'] });
    await retryRun(handle, signer('ops-1'), { comment: 'group fixed', spec: sandboxSpec(h.sandbox, 'uri-drift') });
    const stale = await waitForStatus(
      handle,
      (s) => s.phase === 'blocked' && s.lastError?.step === 'verifyIntegration',
    );
    assert.equal(stale.lastError?.type, 'RedirectUriStale');
    await retryRun(handle, signer('ops-1'), { comment: 'put the URIs back' });
    const result = await handle.result();
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(reapplied(result), ['registerOidcClient']);
    assert.deepEqual(h.sandbox.esignet.clients.get(clientId)?.redirectUris, [`${spec.openg2p.url}/auth_oauth/signin`]);
  });

  test('what a corrected spec re-applies, and what it cannot', () => {
    const spec = sandboxSpec(h.sandbox, 'table');
    const steps = [
      'verifyPrerequisites',
      'createAuthPartner',
      'requestAuthPolicyMapping',
      'createMispPartner',
      'requestMispLicense',
      'collectCredentials',
      'generateClientKey',
      'registerOidcClient',
    ] as const;
    const label = sandboxSpec(h.sandbox, 'table', (s) => {
      s.partners.auth.apiKeyLabel = 'table-r9';
      s.partners.auth.organisation = 'Another name';
    });
    const plan = reapplyPlan(spec, label, steps);
    assert.deepEqual(
      plan.reapply.map((r) => r.step),
      ['collectCredentials'],
    );
    assert.deepEqual(plan.notReapplied, [{ step: 'createAuthPartner', because: ['partners.auth.organisation'] }]);
    const acrs = sandboxSpec(h.sandbox, 'table', (s) => {
      s.oidcClient!.acrs = ['mosip:idp:acr:generated-code'];
    });
    assert.deepEqual(
      reapplyPlan(spec, acrs, steps).reapply.map((r) => r.step),
      ['registerOidcClient'],
    );
  });
});
