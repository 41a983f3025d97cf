// The onboarding workflow on a real Temporal dev server against the in-process sandbox.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { sandboxSpec, withLoginCheck } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { Refused, startOnboarding } from '../../src/cli/runs.js';
import { statusQuery, type OnboardingResult } from '../../src/workflows/messages.js';
import { approveAs, rejectAs } from '../helpers/approve.js';
import { signer } from '../helpers/identities.js';

describe('onboardDeployment on a real Temporal server', () => {
  const h = useWorkflowHarness();

  test('an approved run registers exactly one of everything and a user can log in', async () => {
    const spec = sandboxSpec(h.sandbox, 'happy', withLoginCheck(h.sandbox));
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    const pending = await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    assert.deepEqual(pending.pendingApproval?.approvers, ['alice', 'bob']);
    assert.equal(pending.initiator, 'staff-1');
    await approveAs(handle, 'alice', 'looks right');
    const result = await handle.result();

    assert.equal(result.outcome, 'completed');
    assert.ok(
      result.steps.every((s) => s.status === 'completed'),
      JSON.stringify(result.steps),
    );
    assert.equal(result.approvals[0]?.approver, 'alice');
    const counts = h.sandbox.mosip.counts();
    assert.equal(counts.partners[spec.partners.auth.id], 1);
    assert.equal(counts.partners[spec.partners.misp.id], 1);
    assert.equal(counts.mispLicenses[spec.partners.misp.id], 1);

    const clientKey = (await h.deps.credentials.read(spec.deploymentId)).clientKey!;
    const clients = [...h.sandbox.esignet.clients.values()].filter((c) => c.relyingPartyId === spec.partners.auth.id);
    assert.equal(clients.length, 1);
    assert.equal(clients[0]!.clientId, result.ids.oidcClientId);
    assert.equal(clients[0]!.publicKey.n, clientKey.publicJwk.n, 'e-Signet holds the generated public key');
    assert.deepEqual(clients[0]!.redirectUris, [`${h.sandbox.urls.odoo}/auth_oauth/signin`]);

    const providers = [...h.sandbox.odoo.providers.values()].filter((p) => p.client_id === result.ids.oidcClientId);
    assert.equal(providers.length, 1);
    const p = providers[0]!;
    assert.equal(p.flow, 'id_token_code');
    assert.equal(p.token_map, 'sub:user_id');
    assert.equal(p.client_authentication_method, 'private_key_jwt');
    assert.equal(p.assertion_type, 'jwt-bearer');
    assert.equal(p.g2p_oidc_id_to_use, true);
    assert.equal(p.partner_creation_call_validate_url, true);
    assert.equal(p.login_attribute_mapping_on_user_creation, 'email');
    assert.equal(p.jwks_uri, `${h.sandbox.urls.esignet}/v1/esignet/oauth/.well-known/jwks.json`);
    assert.equal(p.token_endpoint, `${h.sandbox.urls.esignet}/v1/esignet/oauth/v2/token`);
    assert.equal(Buffer.from(String(p.client_private_key), 'base64').toString('utf8'), clientKey.privateKeyPem);
    assert.ok(p.default_group_user_creation, 'portal group set');
    assert.ok(p.g2p_id_type, 'registrant id type set');
    assert.equal(h.sandbox.odoo.logins.length >= 1, true, 'the end-to-end login went through OpenG2P');
  });

  test('a rejection ends the run as rejected and registers nothing', async () => {
    const spec = sandboxSpec(h.sandbox, 'rejected');
    const providersBefore = h.sandbox.odoo.providers.size;
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    await rejectAs(handle, 'bob', 'wrong organisation');
    const result = await handle.result();
    assert.equal(result.outcome, 'rejected');
    assert.equal(result.ids.oidcClientId, undefined);
    assert.equal(
      [...h.sandbox.esignet.clients.values()].filter((c) => c.relyingPartyId === spec.partners.auth.id).length,
      0,
    );
    assert.equal(h.sandbox.odoo.providers.size, providersBefore, 'no OpenG2P provider written');
    const skipped = result.steps.filter((s) => s.status === 'skipped').map((s) => s.name);
    assert.deepEqual(skipped, [
      'collectCredentials',
      'generateClientKey',
      'registerOidcClient',
      'configureOpenG2P',
      'verifyIntegration',
    ]);
  });

  test('an approver not on the spec is refused and leaves no history event', async () => {
    const spec = sandboxSpec(h.sandbox, 'intruder');
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await waitForStatus(handle, (s) => s.phase === 'awaiting_approval');
    const before = (await handle.fetchHistory()).events?.length ?? 0;
    await assert.rejects(
      approveAs(handle, 'mallory'),
      (err: unknown) =>
        err instanceof WorkflowUpdateFailedError && /mallory is not an approver/.test(String(err.cause?.message)),
    );
    const history = await handle.fetchHistory();
    const updateEvents = (history.events ?? []).filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes,
    );
    assert.equal(updateEvents.length, 0);
    assert.ok((history.events?.length ?? 0) >= before);
    const status = await handle.query(statusQuery);
    assert.equal(status.phase, 'awaiting_approval');
    await handle.terminate('test done');
  });

  test('a second start for a deployment that is running is refused', async () => {
    const spec = sandboxSpec(h.sandbox, 'twice');
    const handle = await startOnboarding(h.client, spec, signer('staff-1'));
    await assert.rejects(
      startOnboarding(h.client, spec, signer('staff-2')),
      (err: unknown) => err instanceof Refused && /already running/.test((err as Error).message),
    );
    await handle.terminate('test done');
  });
});
