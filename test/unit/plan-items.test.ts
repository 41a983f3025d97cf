// The plan's reading of what the checks and PMS show, without a server: each way a resource is
// someone else's (conflict), each way one needs a change (update), and what cannot be told.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, renderPlan, summarize, type OwnershipReads } from '../../src/checks/plan.js';
import type { CheckResult, ConsistencyReport } from '../../src/checks/report.js';
import type { StoredCredentials } from '../../src/activities/credential-store.js';
import { validateSpec } from '../../src/spec/load.js';
import { offlineSpecInput } from '../helpers/fixtures.js';

const spec = validateSpec(offlineSpecInput('units'), 'test spec');

function report(results: Partial<CheckResult>[]): ConsistencyReport {
  return {
    deploymentId: 'units',
    checkedAt: '2026-01-01T00:00:00.000Z',
    horizonDays: 30,
    health: 'ok',
    results: results.map(
      (r) => ({ check: 'x', status: 'in-sync', detail: '', why: '', resource: '', ...r }) as CheckResult,
    ),
  };
}

const partner = (over: Partial<NonNullable<OwnershipReads['partners']['auth']>> = {}) => ({
  partnerId: 'units-auth',
  organizationName: spec.partners.auth.organisation,
  emailId: 'a@b',
  partnerType: 'Auth_Partner',
  isActive: true,
  status: 'active',
  ...over,
});

const item = (items: ReturnType<typeof buildPlan>, resource: string) => items.find((i) => i.resource === resource)!;

describe('plan items', () => {
  test('a partner id registered as another type, and a deactivated one', () => {
    const reads: OwnershipReads = {
      partners: {
        auth: partner({ partnerType: 'MISP_Partner' }),
        misp: partner({
          partnerType: 'MISP_Partner',
          organizationName: spec.partners.misp.organisation,
          isActive: false,
          status: 'De-active',
        }),
      },
      unreadable: {},
    };
    const items = buildPlan(spec, {}, report([]), reads);
    assert.equal(item(items, 'Auth partner').action, 'conflict');
    assert.match(item(items, 'Auth partner').detail, /exists as MISP_Partner, not Auth_Partner/);
    const misp = item(items, 'MISP partner');
    assert.equal(misp.action, 'update');
    assert.deepEqual(misp.changes, [{ field: 'status', live: 'De-active', wanted: 'active' }]);
  });

  test('a client registered for another key than the worker holds, and an API key PMS no longer has', () => {
    const stored: StoredCredentials = {
      clientKey: { publicJwk: {}, privateKeyPem: 'PRIVATE', thumbprint: 'new-thumb' },
      oidcClient: { clientId: 'units-old', keyThumbprint: 'old-thumb', via: 'esignet' },
      apiKey: { label: 'units-openg2p', value: 'the-secret-api-key', policyId: 'p1', requestedLabel: 'units-openg2p' },
    };
    const items = buildPlan(
      spec,
      stored,
      report([{ resource: 'pms.apiKey', check: 'exists', status: 'missing', detail: 'PMS holds no API key sha256:…' }]),
      {
        partners: {
          auth: partner(),
          misp: partner({ partnerType: 'MISP_Partner', organizationName: spec.partners.misp.organisation }),
        },
        unreadable: {},
      },
    );
    assert.equal(item(items, 'OIDC client').action, 'conflict');
    assert.match(item(items, 'OIDC client').detail, /registered with key old-thumb, the worker holds new-thumb/);
    assert.equal(item(items, 'API key').action, 'conflict');
    assert.ok(!JSON.stringify(items).includes('the-secret-api-key'), 'the API key value is in the plan');
  });

  test('a new API key label is an update naming the label; an unpublished policy cannot be mapped', () => {
    const stored: StoredCredentials = {
      apiKey: { label: 'old-label', value: 'k', policyId: 'p1', requestedLabel: 'old-label' },
    };
    const items = buildPlan(
      spec,
      stored,
      report([
        {
          resource: 'policymanager.authPolicy',
          check: 'published',
          status: 'missing',
          detail: 'policy group g has no active policy named "p"',
        },
      ]),
      { partners: { auth: partner(), misp: null }, unreadable: {} },
    );
    const key = item(items, 'API key');
    assert.equal(key.action, 'update');
    assert.deepEqual(key.changes, [{ field: 'label', live: 'old-label', wanted: 'units-openg2p' }]);
    const mapping = item(items, 'policy mapping');
    assert.equal(mapping.action, 'cannot-check');
    assert.match(mapping.why ?? '', /the Partner Admin publishes it/);
    assert.equal(item(items, 'MISP partner').action, 'create');
    assert.equal(item(items, 'MISP license').action, 'create');
  });

  test('MOSIP unreachable: every MOSIP resource says why, once per resource', () => {
    const items = buildPlan(
      spec,
      {},
      report([
        { resource: 'mosip', check: 'all checks', status: 'cannot-check', detail: 'authmanager did not answer' },
      ]),
      { partners: {}, unreadable: { 'partner.auth': 'x', 'partner.misp': 'x' } },
    );
    for (const r of ['Auth partner', 'Auth partner certificate', 'policy mapping', 'MISP partner', 'MISP license'])
      assert.equal(item(items, r).action, 'cannot-check', r);
    assert.match(item(items, 'MISP license').why ?? '', /authmanager did not answer/);
    const plan = { deploymentId: 'units', plannedAt: 'now', items, summary: summarize(items) };
    assert.match(renderPlan(plan), /\? cannot check\s+Auth partner\s+not read\n\s+why: authmanager did not answer/);
  });
});
