// Both registration paths and both OpenG2P generations, end to end through a real Temporal dev
// server and an in-process worker against the sandbox: a full run, then a second run of the same
// deployment, which must update what the first created rather than create it again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv } from '../helpers/temporal.js';
import { sandboxSpec, testCodec, testDeps, withLoginCheck } from '../helpers/fixtures.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { approveAs } from '../helpers/approve.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index.js';
import { SEEDED_DRAFT_POLICY, SEEDED_EXPIRED_POLICY } from '../../sandbox/mosip/index.js';
import { createOnboardingWorker } from '../../src/worker.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { statusQuery, type OnboardingResult } from '../../src/workflows/messages.js';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { pmsOidcClientId } from '../../src/activities/esignet.js';
import type { DeploymentSpec, DeploymentSpecInput } from '../../src/spec/schema.js';
import { signer } from '../helpers/identities.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.teardown();
});

/** A sandbox with its own worker; one at a time, since both poll the same task queue. */
function withSandbox(options: SandboxOptions) {
  const ctx = {} as { sandbox: Sandbox; deps: ActivityDeps; client: Client; worker: Worker; running: Promise<void> };
  before(async () => {
    ctx.sandbox = await startSandbox(options);
    await ctx.sandbox.mosip.ready;
    ctx.deps = await testDeps(ctx.sandbox);
    const codec = testCodec();
    ctx.worker = await createOnboardingWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      codec,
      deps: ctx.deps,
    });
    ctx.running = ctx.worker.run();
    ctx.client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: dataConverterFor(codec),
    });
  });
  after(async () => {
    ctx.worker?.shutdown();
    await ctx.running;
    await ctx.sandbox?.close();
  });
  return ctx;
}

/** Starts a run as staff do; approves it when (and only when) it waits for an approval. */
async function onboard(client: Client, spec: DeploymentSpec): Promise<OnboardingResult> {
  const handle = await startOnboarding(client, spec, signer('staff-1'));
  const done = handle.result();
  for (;;) {
    const settled = await Promise.race([
      done.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 200)),
    ]);
    if (settled) break;
    const status = await handle.query(statusQuery);
    if (status.phase === 'blocked') throw new Error(`run blocked: ${JSON.stringify(status.lastError)}`);
    if (status.phase === 'awaiting_approval') {
      await approveAs(handle, 'alice', 'checked');
      break;
    }
  }
  const result = await done;
  assert.equal(result.outcome, 'completed', JSON.stringify(result.steps));
  return result;
}

const routeCalls = (sandbox: Sandbox, method: string, route: string) =>
  sandbox.requests.filter((r) => r.method === method && r.route === route && r.status === 200).length;
const authorizationHeaderParam = (sandbox: Sandbox) =>
  [...sandbox.odoo.database.model('ir.config_parameter').records.values()].find(
    (p) => p.key === 'auth_oauth.authorization_header',
  )?.value;

describe('the PMS path on OpenG2P 1.x (e-Signet 1.4.1, Odoo 15)', () => {
  const ctx = withSandbox({ esignetVersion: '1.4.1', odooVersion: 15 });
  const pmsSpec = (change?: (s: DeploymentSpecInput) => void) =>
    sandboxSpec(ctx.sandbox, 'via-pms', (s) => {
      s.oidcClient.registration = 'pms';
      withLoginCheck(ctx.sandbox)(s);
      change?.(s);
    });

  test('PMS registers the client with the Auth Partner and policy, forwards it to e-Signet, and a user logs in', async () => {
    const spec = pmsSpec();
    const result = await onboard(ctx.client, spec);
    const { clientKey, apiKey } = await ctx.deps.credentials.read(spec.deploymentId);
    const clientId = result.ids.oidcClientId!;
    assert.equal(clientId, pmsOidcClientId(clientKey!.publicJwk), 'the id PMS derived from the key');

    const pmsClient = ctx.sandbox.mosip.oidcClients.records.get(clientId)!;
    assert.equal(pmsClient.rpId, spec.partners.auth.id);
    assert.equal(pmsClient.policyId, apiKey!.policyId);
    assert.equal(ctx.sandbox.mosip.oidcClients.createCounts[clientId], 1);

    const esignetClient = ctx.sandbox.esignet.clients.get(clientId)!;
    assert.equal(esignetClient.relyingPartyId, spec.partners.auth.id);
    assert.equal(esignetClient.publicKey.n, clientKey!.publicJwk.n);
    assert.deepEqual(esignetClient.redirectUris, [`${ctx.sandbox.urls.odoo}/auth_oauth/signin`]);
    // Claims and ACRs come from the Auth policy through e-Signet's mappings, not from the spec.
    for (const claim of ['name', 'email', 'phone_number', 'birthdate', 'gender', 'address', 'picture'])
      assert.ok(esignetClient.userClaims.includes(claim), claim);
    assert.deepEqual([...esignetClient.authContextRefs].sort(), [
      'mosip:idp:acr:biometrics',
      'mosip:idp:acr:generated-code',
    ]);
    const forwarded = ctx.sandbox.requests.find(
      (r) => r.system === 'esignet' && r.route === '/v1/esignet/client-mgmt/oidc-client',
    );
    assert.equal(forwarded?.authorizationScheme, 'Bearer', 'PMS calls e-Signet with its own bearer token');

    const provider = [...ctx.sandbox.odoo.providers.values()].find((p) => p.client_id === clientId)!;
    assert.equal(provider.flow, 'id_token_code');
    assert.equal(authorizationHeaderParam(ctx.sandbox), 'True');
    assert.ok(
      ctx.sandbox.odoo.logins.some((l) => l.providerId === provider.id),
      'the test identity logged in',
    );
    // A compatible pair: the prerequisite check says so without a warning.
    const prerequisites = result.steps.find((st) => st.name === 'verifyPrerequisites')!;
    assert.match(prerequisites.summary ?? '', /checks passed; OpenG2P generation 1\.x \(Odoo 15\), e-Signet 1\.4\.1$/);
  });

  test('a second run of the same deployment updates the PMS client (new redirect URI) instead of creating one', async () => {
    const extra = 'https://portal.via-pms.example/auth_oauth/signin';
    const spec = pmsSpec((s) => (s.oidcClient.extraRedirectUris = [extra]));
    const puts = routeCalls(ctx.sandbox, 'PUT', '/v1/partnermanager/oidc/client/:client_id');
    const result = await onboard(ctx.client, spec);
    const clientId = result.ids.oidcClientId!;
    assert.match(result.steps.find((s) => s.name === 'registerOidcClient')?.summary ?? '', /existing client adopted/);
    assert.equal(routeCalls(ctx.sandbox, 'PUT', '/v1/partnermanager/oidc/client/:client_id'), puts + 1);
    assert.equal(ctx.sandbox.mosip.oidcClients.createCounts[clientId], 1);
    assert.equal(ctx.sandbox.esignet.createCounts[clientId], 1);
    assert.deepEqual(ctx.sandbox.esignet.clients.get(clientId)!.redirectUris, [
      `${ctx.sandbox.urls.odoo}/auth_oauth/signin`,
      extra,
    ]);
    assert.equal(ctx.sandbox.mosip.counts().partners[spec.partners.auth.id], 1);
    assert.equal(ctx.sandbox.odoo.providerCreateCounts[spec.openg2p.provider.name], 1);
    // The mapping was approved by the first run's signed decision: the audit does not credit the portal.
    assert.deepEqual(
      result.approvals.map((a) => a.approver),
      ['pms (earlier decision)'],
    );
    assert.match(
      result.audit.find((e) => e.event === 'approval.pms.approved')?.detail ?? '',
      /already approved on PMS when this run requested it/,
    );
  });

  test('a policy that is drafted or expired fails the prerequisite check, with the evidence', async () => {
    const activities = createActivities(ctx.deps);
    for (const [policy, why] of [
      [SEEDED_DRAFT_POLICY, /no active policy named/],
      [SEEDED_EXPIRED_POLICY, /expired on/],
    ] as const) {
      // A long deployment id: its derived API-key label would exceed the 32 characters labels are held to, so the spec names one.
      const spec = sandboxSpec(ctx.sandbox, `policy-${policy}`, (s) => {
        s.partners.auth.policy = policy;
        s.partners.auth.apiKeyLabel = 'policy-check';
      });
      await assert.rejects(activities.verifyPrerequisites(spec), (err: Error) => {
        assert.match(err.message, /1 prerequisite check\(s\) failed: mosip\.policy: /);
        assert.match(err.message, why);
        return true;
      });
    }
  });
});

describe("e-Signet's current client API on OpenG2P 1.2+ (e-Signet 1.7.0, Odoo 17)", () => {
  const ctx = withSandbox({ esignetVersion: '1.7.0', odooVersion: 17 });
  // No released OpenG2P logs in through e-Signet 1.7 (README, "Login compatibility"): these runs go on
  // with the table's verdict as a warning, as for an OIDC module patched beyond its releases.
  const esignetSpec = (change?: (s: DeploymentSpecInput) => void) =>
    sandboxSpec(ctx.sandbox, 'via-esignet', (s) => {
      s.esignet.version = '1.7.0';
      s.openg2p.loginCompatibility = 'warn';
      change?.(s);
    });

  test('the pair is refused at verifyPrerequisites with the reason and the fix, before anything is created', async () => {
    const activities = createActivities(ctx.deps);
    const spec = sandboxSpec(ctx.sandbox, 'incompatible-pair', (s) => {
      s.esignet.version = '1.7.0';
      withLoginCheck(ctx.sandbox)(s);
    });
    await assert.rejects(activities.verifyPrerequisites(spec), (err: ApplicationFailure) => {
      assert.equal(err.type, 'LoginIncompatible');
      assert.match(
        err.message,
        /e-Signet 1\.7\.0 with OpenG2P 1\.2\+ \(auth_oauth 17\.0\.1\.0, g2p_auth_id_oidc 17\.0\.1\.4\.0, g2p_auth_oidc 17\.0\.1\.4\.0\) cannot complete a private_key_jwt login/,
      );
      assert.match(err.message, /esignet-1\.6-requires-assertion-jti .*jti/);
      assert.match(err.message, /esignet-1\.7-signs-ps256 .*PS256/);
      assert.match(err.message, /mosip\/esignet v1\.6\.0 .*TokenServiceImpl\.java/);
      const hint = (err.details?.[0] as { hint?: string }).hint ?? '';
      assert.match(hint, /run e-Signet 1\.5\.x for this OpenG2P/);
      assert.match(hint, /openg2p\.loginCompatibility: warn/);
      return true;
    });
    assert.equal(
      ctx.sandbox.requests.some((r) => r.method === 'POST' && r.route === '/v1/partnermanager/partners'),
      false,
    );
  });

  test('the client is created through /client-mgmt/client and OpenG2P 1.2+ gets its own field set', async () => {
    const spec = esignetSpec();
    const result = await onboard(ctx.client, spec);
    const clientId = result.ids.oidcClientId!;
    assert.equal(routeCalls(ctx.sandbox, 'POST', '/v1/esignet/client-mgmt/client'), 1);
    const esignetClient = ctx.sandbox.esignet.clients.get(clientId)!;
    assert.deepEqual(esignetClient.userClaims, spec.oidcClient.claims);
    assert.deepEqual(esignetClient.authContextRefs, spec.oidcClient.acrs);
    assert.equal(esignetClient.relyingPartyId, spec.partners.auth.id);

    const provider = [...ctx.sandbox.odoo.providers.values()].find((p) => p.client_id === clientId)!;
    assert.equal(provider.flow, 'oidc_auth_code');
    assert.equal(provider.client_authentication_method, 'private_key_jwt');
    assert.equal(provider.allow_signup, 'yes');
    assert.equal((provider.signup_default_groups as number[]).length, 1);
    assert.equal('assertion_type' in provider, false);
    assert.equal(authorizationHeaderParam(ctx.sandbox), 'True');
    const prerequisites = result.steps.find((st) => st.name === 'verifyPrerequisites')!;
    assert.match(
      prerequisites.summary ?? '',
      /warning: login\.compatibility: .*expected to fail the login \(openg2p\.loginCompatibility: warn\)/,
    );
  });

  test('a second run adopts the client on duplicate_client_id and updates it, creating nothing twice', async () => {
    const extra = 'https://portal.via-esignet.example/auth_oauth/signin';
    const result = await onboard(
      ctx.client,
      esignetSpec((s) => (s.oidcClient.extraRedirectUris = [extra])),
    );
    const clientId = result.ids.oidcClientId!;
    assert.equal(ctx.sandbox.esignet.createCounts[clientId], 1);
    assert.equal(routeCalls(ctx.sandbox, 'PUT', '/v1/esignet/client-mgmt/client/:client_id'), 1);
    assert.deepEqual(ctx.sandbox.esignet.clients.get(clientId)!.redirectUris, [
      `${ctx.sandbox.urls.odoo}/auth_oauth/signin`,
      extra,
    ]);
    assert.equal(ctx.sandbox.odoo.providers.size, 1);
  });
});

describe('a plain Odoo without OpenG2P modules', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({ openg2pModules: false });
    await sandbox.mosip.ready;
  });
  after(() => sandbox?.close());

  test('is refused before anything is created, naming the module to install', async () => {
    const spec = sandboxSpec(sandbox, 'plain-odoo');
    const activities = createActivities(await testDeps(sandbox));
    await assert.rejects(activities.verifyPrerequisites(spec), (err: Error) => {
      assert.match(
        err.message,
        /openg2p\.providerModel: .*install OpenG2P's OIDC module .*auth_oidc .*g2p_auth_id_oidc.*g2p_auth_oidc/,
      );
      return true;
    });
    assert.equal(
      sandbox.requests.some((r) => r.method === 'POST' && r.route === '/v1/partnermanager/partners'),
      false,
    );
  });
});
