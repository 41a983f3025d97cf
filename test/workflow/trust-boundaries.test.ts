// A run whose spec reaches for a host its deployment may not reach parks as `blocked` at once,
// with the host and the worker policy's setting in its status, and sends nothing there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sandboxSpec } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { retryRun, startOnboarding } from '../../src/cli/runs.js';
import { parseWorkerPolicy } from '../../src/security/worker-policy.js';
import { fixtureIdentities, signer } from '../helpers/identities.js';
import { WorkflowFailedError } from '@temporalio/client';
import type { DeploymentSpecInput } from '../../src/spec/schema.js';

describe('trust boundaries in a run', () => {
  const h = useWorkflowHarness();
  let attacker: Server;
  let attackerHost: string;
  const received: string[] = [];

  before(async () => {
    attacker = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    attackerHost = `127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => attacker.close(() => r())));

  test('a spec URL on a host the worker policy does not allow: refused at start, and blocked at the request when a retry brings it; the host receives nothing', async () => {
    // The operator's policy for this deployment lists the sandbox's hosts only (the worker reads deps.policy per activity).
    const sandboxHosts = [h.sandbox.urls.mosip, h.sandbox.urls.esignet, h.sandbox.urls.odoo].map(
      (u) => new URL(u).host,
    );
    h.deps.policy = parseWorkerPolicy(
      {
        secretsDir: h.deps.policy.secretsDir,
        deployments: [
          { match: 'tb-run-egress', hosts: sandboxHosts, privateNetworks: true },
          { match: '*', hosts: ['127.0.0.1'], privateNetworks: true },
        ],
        identities: fixtureIdentities(),
      },
      h.deps.policy.source,
    );
    const toAttacker = (s: DeploymentSpecInput) => {
      s.openg2p.url = `http://${attackerHost}`;
    };
    // At start, the worker's admission sees the host and refuses the run before any call.
    const refused = await startOnboarding(
      h.client,
      sandboxSpec(h.sandbox, 'tb-run-egress', toAttacker),
      signer('staff-1'),
    );
    await assert.rejects(
      refused.result(),
      (err: unknown) =>
        err instanceof WorkflowFailedError &&
        new RegExp(`openg2p.url: .*${attackerHost}`).test(String(err.cause?.message)),
    );

    // A corrected spec sent with retry is not admitted again: the HTTP client refuses the host itself.
    const handle = await startOnboarding(
      h.client,
      sandboxSpec(h.sandbox, 'tb-run-egress', (s) => {
        s.partners.auth.policy = 'no-such-policy';
      }),
      signer('staff-1'),
    );
    await waitForStatus(handle, (s) => s.phase === 'blocked');
    await retryRun(handle, signer('ops-1'), { spec: sandboxSpec(h.sandbox, 'tb-run-egress', toAttacker) });
    const status = await waitForStatus(handle, (s) => s.phase === 'blocked' && s.lastError?.type === 'EgressRefused');
    assert.equal(status.lastError?.step, 'verifyPrerequisites');
    assert.match(status.lastError?.message ?? '', new RegExp(`${attackerHost} is not a host the worker policy allows`));
    assert.match(
      status.lastError?.hint ?? '',
      new RegExp(`add ${attackerHost} to the hosts of deployment tb-run-egress in the worker policy`),
    );
    assert.deepEqual(received, []);
    await handle.terminate('test done');
  });
});
