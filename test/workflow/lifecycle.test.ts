// Day-two operations on a real Temporal server against the in-process sandbox: key rotation,
// credential rotation and offboarding of onboarded deployments, one operation per deployment at a time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { completeOnboarding } from '../helpers/completed-run.js';
import { approveAs } from '../helpers/approve.js';
import { signer } from '../helpers/identities.js';
import { Refused } from '../../src/cli/runs.js';
import { startLifecycle, updatePlan } from '../../src/cli/lifecycle.js';
import { sandboxSpec } from '../helpers/fixtures.js';
import type { WorkflowHarness } from '../helpers/harness.js';

/** The deployment's e-Signet clients by status. */
function clientsOf(h: WorkflowHarness, authPartnerId: string) {
  const all = [...h.sandbox.esignet.clients.values()].filter((c) => c.relyingPartyId === authPartnerId);
  return { active: all.filter((c) => c.status === 'ACTIVE'), inactive: all.filter((c) => c.status === 'INACTIVE') };
}

function providerNamed(h: WorkflowHarness, name: string) {
  return [...h.sandbox.odoo.providers.values()].find((p) => p.name === name)!;
}

describe('day-two operations on a real Temporal server', () => {
  const h = useWorkflowHarness();

  test('rotate-key leaves exactly one ACTIVE client, the new one, and OpenG2P holds its id and key — through lost answers', async () => {
    const { spec, result } = await completeOnboarding(h.client, h.sandbox, 'rot-key');
    const oldClientId = result.ids.oidcClientId!;
    // Each write commits on the remote side and its answer is lost once: the retries must adopt, not duplicate.
    const faults = [
      h.sandbox.faults.add(
        `POST /v1/esignet/client-mgmt/oidc-client ~"${spec.partners.auth.id}"=commit-then-fail:once`,
      ),
      h.sandbox.faults.add(`POST /jsonrpc ~"auth.oauth.provider","write"=commit-then-fail:once`),
      h.sandbox.faults.add(`PUT /v1/esignet/client-mgmt/oidc-client/${oldClientId}=commit-then-fail:once`),
    ];
    const handle = await startLifecycle(h.client, 'rotate-key', spec, signer('staff-1'));
    const rotated = await handle.result();
    assert.equal(rotated.outcome, 'completed', JSON.stringify(rotated.steps));
    for (const f of faults) assert.equal(f.injected, 1, 'every fault was met');

    const { active, inactive } = clientsOf(h, spec.partners.auth.id);
    assert.equal(active.length, 1, 'exactly one ACTIVE client');
    assert.notEqual(active[0]!.clientId, oldClientId, 'a new client id');
    assert.deepEqual(
      inactive.map((c) => c.clientId),
      [oldClientId],
    );
    const stored = await h.deps.credentials.read(spec.deploymentId);
    assert.equal(stored.oidcClient?.clientId, active[0]!.clientId);
    assert.equal(stored.nextClientKey, undefined);
    const provider = providerNamed(h, spec.openg2p.provider.name);
    assert.equal(provider.client_id, active[0]!.clientId);
    assert.equal(
      Buffer.from(String(provider.client_private_key), 'base64').toString('utf8'),
      stored.clientKey!.privateKeyPem,
    );
    assert.equal(active[0]!.publicKey.n, stored.clientKey!.publicJwk.n);
    // The private key never enters history.
    const history = JSON.stringify(await handle.fetchHistory());
    assert.ok(!history.includes(stored.clientKey!.privateKeyPem.split('\n')[1]!));
  });

  test('a rotation whose verification fails switches OpenG2P back and leaves the new client INACTIVE', async () => {
    const { spec, result } = await completeOnboarding(h.client, h.sandbox, 'rot-fail');
    const oldClientId = result.ids.oidcClientId!;
    // A provider someone disabled by hand: the switched provider cannot pass verification.
    providerNamed(h, spec.openg2p.provider.name).enabled = false;
    const handle = await startLifecycle(h.client, 'rotate-key', spec, signer('staff-1'));
    const rotated = await handle.result();
    assert.equal(rotated.outcome, 'rolled_back', JSON.stringify(rotated.steps));
    const { active, inactive } = clientsOf(h, spec.partners.auth.id);
    assert.deepEqual(
      active.map((c) => c.clientId),
      [oldClientId],
    );
    assert.equal(inactive.length, 1, 'the new client is INACTIVE');
    assert.equal(providerNamed(h, spec.openg2p.provider.name).client_id, oldClientId, 'OpenG2P switched back');
    const stored = await h.deps.credentials.read(spec.deploymentId);
    assert.equal(stored.oidcClient?.clientId, oldClientId);
    assert.equal(stored.nextClientKey, undefined);
  });

  test('a second operation on a deployment is refused, naming the one that runs; offboarding switches everything off once', async () => {
    const { spec } = await completeOnboarding(h.client, h.sandbox, 'offb');
    const handle = await startLifecycle(h.client, 'offboard', spec, signer('staff-1'), { comment: 'programme closed' });
    const waiting = await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    assert.equal(waiting.initiator, 'staff-1');
    await assert.rejects(
      startLifecycle(h.client, 'rotate-key', spec, signer('staff-2')),
      (err: unknown) =>
        err instanceof Refused && /offboard .* is running on deployment offb/.test((err as Error).message),
    );
    // Four eyes: the one who asked cannot approve.
    await assert.rejects(approveAs(handle, 'staff-1'));
    await approveAs(handle, 'alice', 'agreed with the programme');
    const done = await handle.result();
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));

    const provider = providerNamed(h, spec.openg2p.provider.name);
    assert.equal(provider.enabled, false, 'provider disabled, not deleted');
    assert.equal(clientsOf(h, spec.partners.auth.id).active.length, 0, 'no ACTIVE client');
    const mosip = h.sandbox.mosip.state;
    assert.equal(mosip.partners.get(spec.partners.auth.id)?.isActive, false);
    assert.equal(mosip.partners.get(spec.partners.misp.id)?.isActive, false);
    assert.ok(mosip.apiKeys.filter((k) => k.partnerId === spec.partners.auth.id).every((k) => !k.isActive));
    assert.ok(mosip.mispLicenses.filter((l) => l.mispId === spec.partners.misp.id).every((l) => !l.isActive));
    const audit = done.audit.map((e) => `${e.event} ${e.actor ?? ''} ${e.detail ?? ''}`).join('\n');
    assert.match(audit, /run\.started staff-1 offboard of deployment offb: programme closed/);
    assert.match(audit, /approval\.approve alice/);
    assert.ok(done.changes.some((c) => /OIDC client/.test(c)));

    // A re-run changes nothing and asks nobody.
    const again = await (
      await startLifecycle(h.client, 'offboard', spec, signer('staff-1'), { comment: 'again' })
    ).result();
    assert.equal(again.outcome, 'completed');
    assert.deepEqual(again.changes, []);
    // Nothing else runs on an offboarded deployment.
    const refused = await startLifecycle(h.client, 'rotate-key', spec, signer('staff-1'));
    await assert.rejects(refused.result(), (err: unknown) =>
      /was offboarded/.test(String((err as { cause?: Error }).cause?.message)),
    );
  });

  test('update brings the client name, logo and redirect URIs to the changed spec, keeps the client id, and waits for approval when the spec asks', async () => {
    const { spec, result } = await completeOnboarding(h.client, h.sandbox, 'upd');
    const changed = sandboxSpec(h.sandbox, 'upd', (s) => {
      s.oidcClient = {
        ...s.oidcClient,
        name: 'OpenG2P upd, renamed',
        logoUri: 'https://openg2p.org/new-logo.png',
        extraRedirectUris: ['https://portal.example.org/callback'],
      };
      s.lifecycle = { requireApproval: ['update'] };
    });
    const changes = updatePlan(spec, changed);
    assert.deepEqual(changes, ['oidcClient.name', 'oidcClient.logoUri', 'oidcClient.extraRedirectUris', 'lifecycle']);
    const handle = await startLifecycle(h.client, 'update', changed, signer('staff-1'), { options: { changes } });
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await approveAs(handle, 'bob', 'new branding');
    const done = await handle.result();
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    const client = h.sandbox.esignet.clients.get(result.ids.oidcClientId!)!;
    assert.equal(client.clientName, 'OpenG2P upd, renamed');
    assert.equal(client.logoUri, 'https://openg2p.org/new-logo.png');
    assert.deepEqual(client.redirectUris, [
      `${h.sandbox.urls.odoo}/auth_oauth/signin`,
      'https://portal.example.org/callback',
    ]);
    assert.equal(client.status, 'ACTIVE');
    assert.equal(clientsOf(h, spec.partners.auth.id).active.length, 1, 'still one client');
    assert.throws(
      () =>
        updatePlan(
          spec,
          sandboxSpec(h.sandbox, 'upd', (s) => (s.partners.auth.id = 'other-auth')),
        ),
      /may not change partners\.auth\.id/,
    );
  });

  test('renew-certificates uploads new partner certificates that PMS then serves, kept on the worker', async () => {
    const { spec } = await completeOnboarding(h.client, h.sandbox, 'renew');
    const before = await h.deps.credentials.read(spec.deploymentId);
    // The upload's answer is lost once: the retry uploads the same certificate again.
    const lost = h.sandbox.faults.add(
      `POST /v1/partnermanager/partners/certificate/upload ~"${spec.partners.auth.id}"=commit-then-fail:once`,
    );
    const done = await (await startLifecycle(h.client, 'renew-certificates', spec, signer('staff-1'))).result();
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    assert.equal(lost.injected, 1);
    const after = await h.deps.credentials.read(spec.deploymentId);
    for (const role of ['authPartner', 'mispPartner'] as const) {
      assert.notEqual(after[role]!.certificatePem, before[role]!.certificatePem, `${role}: a new certificate`);
      assert.notEqual(after[role]!.signedCertificatePem, before[role]!.signedCertificatePem);
    }
    assert.deepEqual(after.pendingCertificates, {});
    assert.equal(done.changes.length, 2);
  });

  test('rotate-credentials issues a new API key and MISP license, stored on the worker, and deactivates the old ones', async () => {
    const { spec } = await completeOnboarding(h.client, h.sandbox, 'rot-creds');
    const before = await h.deps.credentials.read(spec.deploymentId);
    const handle = await startLifecycle(h.client, 'rotate-credentials', spec, signer('staff-1'));
    const done = await handle.result();
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    const after = await h.deps.credentials.read(spec.deploymentId);
    assert.notEqual(after.apiKey!.value, before.apiKey!.value);
    assert.notEqual(after.mispLicenseKey, before.mispLicenseKey);
    const mosip = h.sandbox.mosip.state;
    const keys = mosip.apiKeys.filter((k) => k.partnerId === spec.partners.auth.id);
    assert.deepEqual(
      keys.filter((k) => k.isActive).map((k) => k.label),
      [after.apiKey!.label],
    );
    const licenses = mosip.mispLicenses.filter((l) => l.mispId === spec.partners.misp.id);
    assert.deepEqual(
      licenses.filter((l) => l.isActive).map((l) => l.licenseKey),
      [after.mispLicenseKey],
    );
  });
});
