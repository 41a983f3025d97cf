// The consistency checks against a deployment onboarded on the sandbox: every check in sync right
// after onboarding, then each drifted the way an administrator would in that system's console.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorkflowHarness } from '../helpers/harness.js';
import { completeOnboarding, type CompletedRun } from '../helpers/completed-run.js';
import { createActivities } from '../../src/activities/index.js';
import type { CheckResult, ConsistencyReport } from '../../src/checks/index.js';
import { applyDrift, type DriftRequest } from '../../sandbox/drift.js';
import { runConsistencyCheck } from '../../src/cli/checks.js';
import { OnboardingHealth } from '../../src/workflows/search-attributes.js';

function find(report: ConsistencyReport, resource: string, check: string): CheckResult {
  const found = report.results.find((r) => r.resource === resource && r.check === check);
  assert.ok(
    found,
    `no ${resource} ${check} in ${JSON.stringify(report.results.map((r) => `${r.resource} ${r.check}`))}`,
  );
  return found;
}

for (const registration of ['esignet', 'pms'] as const) {
  describe(`consistency checks (${registration} path)`, () => {
    const h = useWorkflowHarness();
    let run: CompletedRun;
    const check = () => createActivities(h.deps).checkDeployment(run.spec);
    const drift = (change: DriftRequest) => applyDrift(h.sandbox, change);

    test('right after onboarding every check is in sync (or says why it cannot be made)', async () => {
      run = await completeOnboarding(h.client, h.sandbox, `checks-${registration}`, (s) => {
        s.oidcClient!.registration = registration;
      });
      const report = await check();
      const notInSync = report.results.filter((r) => r.status !== 'in-sync' && r.status !== 'cannot-check');
      assert.deepEqual(notInSync, []);
      assert.equal(report.health, 'ok');
      // What cannot be read on these versions is said, with why.
      // e-Signet 1.4.1 serves no /actuator/info: its discovery places it before 1.7, which the spec's 1.4.1 fits.
      assert.equal(find(report, 'esignet.version', 'matchesServer').status, 'in-sync');
      assert.match(find(report, 'esignet.version', 'matchesServer').detail, /before 1\.7\.0.*1\.4\.1 fits it/);
      // A spec naming a release the server is not: drift, naming what the server shows.
      const wrong = await createActivities(h.deps).checkDeployment({
        ...run.spec,
        esignet: { ...run.spec.esignet, version: '1.7.1' },
      });
      const version = find(wrong, 'esignet.version', 'matchesServer');
      assert.equal(version.status, 'drift');
      assert.match(
        version.detail,
        /spec says esignet\.version 1\.7\.1, but discovery offers RS256 client assertions only/,
      );
      assert.equal(find(report, 'pms.apiKey', 'active').status, 'cannot-check');
      for (const [resource, c] of [
        ['esignet.discovery', 'reachable'],
        ['esignet.jwks', 'reachable'],
        ['esignet.client', 'active'],
        ['esignet.client', 'redirectUris'],
        ['pms.authPartner', 'active'],
        ['pms.mispPartner', 'active'],
        ['pms.authPartnerCertificate', 'expiry'],
        ['pms.mispPartnerCertificate', 'expiry'],
        ['policymanager.authPolicy', 'published'],
        ['policymanager.authPolicy', 'validTill'],
        ['pms.policyMapping', 'approved'],
        ['pms.apiKey', 'exists'],
        ['pms.mispLicense', 'active'],
        ['pms.mispLicense', 'expiry'],
        ['openg2p.provider', 'clientId'],
        ['openg2p.provider', 'enabled'],
        ['openg2p.provider', 'endpoints'],
        ['openg2p.provider', 'keyThumbprint'],
        ...(registration === 'pms'
          ? [
              ['pms.oidcClient', 'status'],
              ['pms.oidcClient', 'redirectUris'],
              ['pms.oidcClient', 'keyThumbprint'],
            ]
          : [['esignet.client', 'keyThumbprint']]),
      ] as const)
        assert.equal(find(report, resource, c).status, 'in-sync', `${resource} ${c}`);
      // Secrets never appear: only fingerprints.
      const creds = await h.deps.credentials.read(run.spec.deploymentId);
      const text = JSON.stringify(report);
      for (const secret of [creds.apiKey!.value, creds.mispLicenseKey!, creds.clientKey!.privateKeyPem])
        assert.ok(!text.includes(secret), 'a secret value is in the report');
    });

    test('`g2p-onboard check` runs them as a workflow on the worker and marks its health', async () => {
      const clientId = run.result.ids.oidcClientId!;
      await drift({ kind: 'esignet-client', clientId, status: 'INACTIVE' });
      const report = await runConsistencyCheck(h.client, run.handle.workflowId);
      await drift({ kind: 'esignet-client', clientId, status: 'ACTIVE' });
      assert.equal(report.health, 'drift');
      assert.equal(report.deploymentId, run.spec.deploymentId);
      let health: string | undefined;
      for await (const wf of h.client.workflow.list({ query: `WorkflowType = 'checkDeploymentConsistency'` })) {
        const d = await h.client.workflow.getHandle(wf.workflowId).describe();
        health = d.typedSearchAttributes.get(OnboardingHealth);
      }
      assert.equal(health, 'drift');
    });

    test('an extra redirect URI, then a missing one, are drift', async () => {
      const clientId = run.result.ids.oidcClientId!;
      const wanted = `${h.sandbox.urls.odoo}/auth_oauth/signin`;
      const creds = await h.deps.credentials.read(run.spec.deploymentId);
      // An old URI the client had, still registered beside the right one.
      await h.deps.credentials.update(run.spec.deploymentId, (c) => ({
        ...c,
        oidcClient: {
          ...c.oidcClient!,
          redirectUris: [...(c.oidcClient!.redirectUris ?? []), 'https://old.example.org/auth_oauth/signin'],
        },
      }));
      await drift({
        kind: 'esignet-client',
        clientId,
        redirectUris: [wanted, 'https://old.example.org/auth_oauth/signin'],
      });
      let r = find(await check(), 'esignet.client', 'redirectUris');
      assert.equal(r.status, 'drift');
      assert.match(r.detail, /still registered .*old\.example\.org/);
      await drift({ kind: 'esignet-client', clientId, redirectUris: ['https://old.example.org/auth_oauth/signin'] });
      r = find(await check(), 'esignet.client', 'redirectUris');
      assert.equal(r.status, 'drift');
      assert.match(r.detail, /not registered: .*auth_oauth\/signin/);
      await drift({ kind: 'esignet-client', clientId, redirectUris: [wanted] });
      await h.deps.credentials.update(run.spec.deploymentId, () => creds);
      assert.equal(find(await check(), 'esignet.client', 'redirectUris').status, 'in-sync');
    });

    test('an INACTIVE client is missing for logins', async () => {
      const clientId = run.result.ids.oidcClientId!;
      await drift({ kind: 'esignet-client', clientId, status: 'INACTIVE' });
      const report = await check();
      assert.equal(find(report, 'esignet.client', 'active').status, 'missing');
      assert.equal(report.health, 'drift');
      await drift({ kind: 'esignet-client', clientId, status: 'ACTIVE' });
    });

    test('deactivated partners and MISP license, an expiring certificate, policy and license', async () => {
      const { auth, misp } = run.spec.partners;
      await drift({ kind: 'partner', partnerId: auth.id, active: false });
      await drift({ kind: 'misp-license', mispId: misp.id, active: false });
      let report = await check();
      assert.equal(find(report, 'pms.authPartner', 'active').status, 'drift');
      assert.equal(find(report, 'pms.mispLicense', 'active').status, 'drift');
      await drift({ kind: 'partner', partnerId: auth.id, active: true });
      await drift({ kind: 'misp-license', mispId: misp.id, active: true, expiresInDays: 10 });
      await drift({ kind: 'certificate', partnerId: misp.id, expiresInDays: 5 });
      await drift({ kind: 'policy', name: auth.policy, expiresInDays: 20 });
      report = await check();
      assert.equal(find(report, 'pms.mispLicense', 'expiry').status, 'expiring');
      assert.equal(find(report, 'pms.mispPartnerCertificate', 'expiry').status, 'expiring');
      assert.equal(find(report, 'policymanager.authPolicy', 'validTill').status, 'expiring');
      assert.equal(report.health, 'expiring');
      await drift({ kind: 'policy', name: auth.policy, expiresInDays: -1 });
      report = await check();
      assert.equal(find(report, 'policymanager.authPolicy', 'validTill').status, 'drift');
      await drift({ kind: 'policy', name: auth.policy, expiresInDays: 365 });
      await drift({ kind: 'misp-license', mispId: misp.id, expiresInDays: 90 });
    });

    test('an API key PMS no longer holds, and an edited OpenG2P provider, are found', async () => {
      const creds = await h.deps.credentials.read(run.spec.deploymentId);
      await h.deps.credentials.update(run.spec.deploymentId, (c) => ({
        ...c,
        apiKey: { ...c.apiKey!, value: '000000' },
      }));
      assert.equal(find(await check(), 'pms.apiKey', 'exists').status, 'missing');
      await h.deps.credentials.update(run.spec.deploymentId, () => creds);

      const name = run.spec.openg2p.provider.name;
      const original = { ...[...h.sandbox.odoo.providers.values()].find((p) => p.name === name)! };
      await drift({
        kind: 'openg2p-provider',
        name,
        values: { token_endpoint: 'https://elsewhere.example.org/token', enabled: false, client_id: 'someone-else' },
      });
      const report = await check();
      const endpoints = find(report, 'openg2p.provider', 'endpoints');
      assert.equal(endpoints.status, 'drift');
      assert.match(endpoints.detail, /token_endpoint: https:\/\/elsewhere\.example\.org\/token → /);
      assert.equal(find(report, 'openg2p.provider', 'enabled').status, 'drift');
      assert.equal(find(report, 'openg2p.provider', 'clientId').status, 'drift');
      // Another key in OpenG2P than the one registered: a conflict.
      const { newClientKey } = await import('../../src/activities/client-key.js');
      const other = await newClientKey();
      await drift({
        kind: 'openg2p-provider',
        name,
        values: { client_private_key: Buffer.from(other.privateKeyPem).toString('base64') },
      });
      assert.equal(find(await check(), 'openg2p.provider', 'keyThumbprint').status, 'conflict');
      await drift({ kind: 'openg2p-provider', name, values: original });
      const restored = await check();
      assert.deepEqual(
        restored.results.filter((r) => r.resource === 'openg2p.provider' && r.status !== 'in-sync'),
        [],
      );
    });
  });
}
