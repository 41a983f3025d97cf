// The PMS watch of a waiting run checks its policy mapping once per poll interval. A worker with
// many waiting runs must not log in to MOSIP for every check: it reuses the Partner Admin's
// token, and logs in again when PMS refuses it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { SignJWT } from 'jose';
import { createActivities } from '../../src/activities/index.js';
import { reuseUntil } from '../../src/activities/mosip-session.js';
import type { Sandbox } from '../../sandbox/index.js';
import { sandboxSpec, startTestSandbox, testDeps } from '../helpers/fixtures.js';

const LOGIN_ROUTE = '/v1/authmanager/authenticate/internal/useridPwd';
let sandbox: Sandbox;

before(async () => {
  sandbox = await startTestSandbox();
  await sandbox.mosip.ready;
});
after(() => sandbox?.close());

const logins = () => sandbox.requests.filter((r) => r.route === LOGIN_ROUTE).length;
const stillPending = (err: unknown) => err instanceof ApplicationFailure && err.type === 'MappingStillPending';

test('polls of several waiting runs share one Partner Admin login, and a refused token is replaced at once', async () => {
  const activities = createActivities(await testDeps(sandbox));
  const specs = [sandboxSpec(sandbox, 'watch-a'), sandboxSpec(sandbox, 'watch-b')];
  const mappings = [];
  for (const spec of specs) {
    await activities.createAuthPartner(spec);
    mappings.push(await activities.requestAuthPolicyMapping(spec));
  }

  const before = logins();
  for (let poll = 0; poll < 3; poll++) {
    for (const [i, spec] of specs.entries())
      await assert.rejects(activities.awaitPolicyMappingDecision(spec, mappings[i]!.mappingKey), stillPending);
  }
  assert.equal(logins() - before, 1, 'six checks, one login');

  // Keycloak ends every session (an admin signs everyone out): PMS answers the kept token with 401.
  sandbox.realm.endSessions();
  sandbox.mosip.approveMapping(mappings[0]!.mappingKey);
  assert.deepEqual(await activities.awaitPolicyMappingDecision(specs[0]!, mappings[0]!.mappingKey), {
    status: 'approved',
  });
  assert.equal(logins() - before, 2, 'the refused token is replaced by one new login, within the same check');
  const refused = sandbox.requests.filter((r) => r.status === 401);
  assert.equal(refused.length, 1, 'one call carried the ended session');
  await assert.rejects(activities.awaitPolicyMappingDecision(specs[1]!, mappings[1]!.mappingKey), stillPending);
  assert.equal(logins() - before, 2);
});

test('a token is reused until a minute before its expiry, and at most ten minutes', async () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  const key = new TextEncoder().encode('k'.repeat(32));
  const jwt = (expSeconds: number) =>
    new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expSeconds).sign(key);
  assert.equal(reuseUntil(await jwt(now / 1000 + 300), now), now + 240_000);
  assert.equal(reuseUntil(await jwt(now / 1000 + 3600), now), now + 600_000);
  assert.equal(reuseUntil('opaque-token', now), now + 600_000);
});
