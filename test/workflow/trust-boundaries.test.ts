// A run whose spec reaches for a host its deployment may not reach parks as `blocked` at once,
// with the host and the worker policy's setting in its status, and sends nothing there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sandboxSpec } from '../helpers/fixtures.js';
import { useWorkflowHarness, waitForStatus } from '../helpers/harness.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { parseWorkerPolicy } from '../../src/security/worker-policy.js';

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

  test("a spec URL on a host the worker policy does not allow blocks the run, naming the host and the policy's setting; the host receives nothing", async () => {
    // The operator's policy for this deployment lists the sandbox's hosts only (the worker reads deps.policy per activity).
    const sandboxHosts = [h.sandbox.urls.mosip, h.sandbox.urls.esignet, h.sandbox.urls.odoo].map((u) => new URL(u).host);
    h.deps.policy = parseWorkerPolicy(
      { secretsDir: h.deps.policy.secretsDir, deployments: [{ match: 'tb-run-egress', hosts: sandboxHosts, privateNetworks: true }, { match: '*', hosts: ['127.0.0.1'], privateNetworks: true }], identities: [] },
      h.deps.policy.source,
    );
    const spec = sandboxSpec(h.sandbox, 'tb-run-egress', (s) => {
      s.openg2p.url = `http://${attackerHost}`;
    });
    const handle = await startOnboarding(h.client, spec, 'staff-1');
    const status = await waitForStatus(handle, (s) => s.phase === 'blocked');
    assert.equal(status.lastError?.type, 'EgressRefused');
    assert.equal(status.lastError?.step, 'verifyPrerequisites');
    assert.match(status.lastError?.message ?? '', new RegExp(`${attackerHost} is not a host the worker policy allows`));
    assert.match(status.lastError?.hint ?? '', new RegExp(`add ${attackerHost} to the hosts of deployment tb-run-egress in the worker policy`));
    assert.deepEqual(received, []);
    await handle.terminate('test done');
  });
});
