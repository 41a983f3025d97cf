// `g2p-onboard plan` against the sandbox: on a deployment nothing was done for, every resource is
// to be created; right after onboarding, everything is in sync; a field drifted in one system is an
// update naming the field; a resource someone else owns is a conflict. Nothing is ever changed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorkflowHarness } from '../helpers/harness.js';
import { sandboxSpec } from '../helpers/fixtures.js';
import { completeOnboarding, type CompletedRun } from '../helpers/completed-run.js';
import { applyDrift } from '../../sandbox/drift.js';
import { runPlan } from '../../src/cli/plan.js';
import { renderPlan, type DeploymentPlan, type PlanItem } from '../../src/checks/plan.js';
import { planExit, EXIT } from '../../src/cli/commands.js';

const RESOURCES = [
  'Auth partner',
  'Auth partner certificate',
  'policy mapping',
  'MISP partner',
  'MISP partner certificate',
  'MISP license',
  'API key',
  'OIDC client',
  'OpenG2P provider',
  'search attributes',
];

function item(plan: DeploymentPlan, resource: string): PlanItem {
  const found = plan.items.find((i) => i.resource === resource);
  assert.ok(found, `no ${resource} in the plan`);
  return found;
}

describe('g2p-onboard plan', () => {
  const h = useWorkflowHarness();
  let run: CompletedRun;

  test('on an empty deployment every resource is to be created, and nothing is created by planning', async () => {
    const spec = sandboxSpec(h.sandbox, 'plan-empty');
    const plan = await runPlan(h.client, spec);
    assert.deepEqual(
      plan.items.map((i) => i.resource),
      RESOURCES,
    );
    for (const resource of RESOURCES.filter((r) => r !== 'search attributes'))
      assert.equal(item(plan, resource).action, 'create', `${resource}: ${JSON.stringify(item(plan, resource))}`);
    assert.equal(item(plan, 'search attributes').action, 'in-sync');
    assert.equal(planExit(plan.summary), EXIT.changes);
    assert.match(item(plan, 'OIDC client').detail, new RegExp(`${spec.openg2p.url}/auth_oauth/signin`));
    // Read-only: planning twice gives the same plan, and PMS still has no such partner.
    assert.equal(h.sandbox.mosip.state.partners.has(spec.partners.auth.id), false);
    assert.equal((await runPlan(h.client, spec)).digest, plan.digest);
    console.log(renderPlan(plan));
  });

  test('on a fully onboarded deployment everything is in sync (exit 0), secrets shown by fingerprint only', async () => {
    run = await completeOnboarding(h.client, h.sandbox, 'plan-done');
    const plan = await runPlan(h.client, run.spec);
    const notInSync = plan.items.filter((i) => i.action !== 'in-sync');
    assert.deepEqual(notInSync, []);
    assert.equal(planExit(plan.summary), EXIT.ok);
    assert.match(item(plan, 'API key').detail, /sha256:[0-9a-f]{16}…/);
    const creds = await h.deps.credentials.read(run.spec.deploymentId);
    const text = JSON.stringify(plan);
    for (const secret of [creds.apiKey!.value, creds.mispLicenseKey!, creds.clientKey!.privateKeyPem])
      assert.ok(!text.includes(secret), 'a secret value is in the plan');
    console.log(renderPlan(plan));
  });

  test('a drifted field is an update naming it (live → wanted)', async () => {
    const wantedUri = `${run.spec.openg2p.url}/auth_oauth/signin`;
    await applyDrift(h.sandbox, {
      kind: 'openg2p-provider',
      name: run.spec.openg2p.provider.name,
      values: { token_endpoint: 'https://old.example/token', enabled: false },
    });
    await applyDrift(h.sandbox, {
      kind: 'esignet-client',
      clientId: run.result.ids.oidcClientId!,
      redirectUris: ['https://old.example/auth_oauth/signin'],
    });
    const plan = await runPlan(h.client, run.spec);
    const provider = item(plan, 'OpenG2P provider');
    assert.equal(provider.action, 'update');
    const fields = Object.fromEntries((provider.changes ?? []).map((c) => [c.field, c]));
    assert.equal(fields.token_endpoint?.live, 'https://old.example/token');
    assert.match(String(fields.token_endpoint?.wanted), /^http:\/\/127\.0\.0\.1:\d+\/.*token/);
    assert.equal(fields.enabled?.live, false);
    const client = item(plan, 'OIDC client');
    assert.equal(client.action, 'update');
    assert.deepEqual(client.changes?.find((c) => c.field === 'redirectUris')?.wanted, [wantedUri]);
    assert.equal(item(plan, 'Auth partner').action, 'in-sync');
    assert.equal(planExit(plan.summary), EXIT.changes);
    assert.match(
      renderPlan(plan),
      /~ update\s+OpenG2P provider[^\n]*\n(?: {6}[^\n]*\n)*? {6}token_endpoint: https:\/\/old\.example\/token → http/,
    );
  });

  test('what exists but is not ours is a conflict (exit 9): a partner id of another organisation, a provider of another client', async () => {
    // Another deployment's spec naming run's partner and provider, as a copy-paste would.
    const other = sandboxSpec(h.sandbox, 'plan-other', (s) => {
      s.partners.auth.id = run.spec.partners.auth.id;
      s.openg2p!.provider = { ...s.openg2p!.provider, name: run.spec.openg2p.provider.name };
    });
    const plan = await runPlan(h.client, other);
    const partner = item(plan, 'Auth partner');
    assert.equal(partner.action, 'conflict');
    assert.match(partner.detail, /belongs to organisation "Org plan-done"/);
    const provider = item(plan, 'OpenG2P provider');
    assert.equal(provider.action, 'conflict');
    assert.match(provider.detail, new RegExp(`client ${run.result.ids.oidcClientId}`));
    assert.equal(planExit(plan.summary), EXIT.conflict);
  });

  test('a system that does not answer is `cannot check`, with why', async () => {
    const spec = sandboxSpec(h.sandbox, 'plan-down', (s) => {
      // Nothing listens on port 1: OpenG2P cannot be read.
      s.openg2p!.url = 'http://127.0.0.1:1';
    });
    const plan = await runPlan(h.client, spec);
    const provider = item(plan, 'OpenG2P provider');
    assert.equal(provider.action, 'cannot-check');
    assert.match(provider.why ?? '', /did not answer|ECONNREFUSED|refused/i);
    assert.equal(item(plan, 'Auth partner').action, 'create');
    // Nothing to change among what could be read, but something unread: its own exit code.
    assert.equal(planExit({ ...plan.summary, create: 0, update: 0, conflict: 0 }), EXIT.unchecked);
  });

  test('on the PMS path an onboarded deployment is in sync too, and a changed redirect URI is an update', async () => {
    const pms = await completeOnboarding(h.client, h.sandbox, 'plan-pms', (s) => {
      s.oidcClient!.registration = 'pms';
    });
    const plan = await runPlan(h.client, pms.spec);
    assert.deepEqual(
      plan.items.filter((i) => i.action !== 'in-sync'),
      [],
    );
    const moved = {
      ...pms.spec,
      oidcClient: { ...pms.spec.oidcClient, extraRedirectUris: ['https://portal.example/cb'] },
    };
    const client = item(await runPlan(h.client, moved), 'OIDC client');
    assert.equal(client.action, 'update');
    assert.deepEqual(
      client.changes?.find((c) => c.field === 'redirectUris'),
      {
        field: 'redirectUris',
        live: [`${pms.spec.openg2p.url}/auth_oauth/signin`],
        wanted: [`${pms.spec.openg2p.url}/auth_oauth/signin`, 'https://portal.example/cb'],
      },
    );
  });
});
