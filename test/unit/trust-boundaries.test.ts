// The attacks of the "trust boundaries" review, run through the real activities against the
// sandbox: a spec naming the worker's own secrets, another deployment's files or a host of its
// author's choosing gets a blocking failure that says what was refused, and nothing reaches the
// host (the sandbox and a local server standing for the attacker's record every request).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { CredentialStore } from '../../src/activities/credential-store.js';
import type { ApprovalNotice } from '../../src/activities/notifications.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { parseWorkerPolicy, type WorkerPolicyFile } from '../../src/security/worker-policy.js';
import { sandboxSpec, startTestSandbox, testDeps } from '../helpers/fixtures.js';

const TEMPORAL_API_KEY = 'temporal-cloud-api-key-0123456789';

const reminder = (deploymentId: string): ApprovalNotice => ({
  noticeId: `${deploymentId}-reminder-1`,
  kind: 'reminder',
  workflowId: `onboard-${deploymentId}`,
  deploymentId,
  mappingKey: 'm',
  waitingSince: '',
  deadline: '',
  awaiting: ['alice'],
  approvalsSoFar: 0,
  required: 1,
  howToApprove: `g2p-onboard approve ${deploymentId} --as <approver> --key <private key file>`,
});

/** A blocking (non-retryable) failure of `type`, with its message and hint. */
async function blocked(attempt: Promise<unknown>, type: string): Promise<{ message: string; hint: string }> {
  let caught: unknown;
  await attempt.catch((err) => (caught = err));
  assert.ok(caught instanceof ApplicationFailure, `expected a failure, got ${String(caught)}`);
  assert.equal(caught.type, type, caught.message);
  assert.equal(caught.nonRetryable, true, 'a refusal is not retried');
  return { message: caught.message, hint: String((caught.details?.[0] as { hint?: string } | undefined)?.hint ?? '') };
}

describe('trust boundaries: what a spec may read and reach', () => {
  let sandbox: Sandbox;
  let attacker: Server;
  let attackerUrl: string;
  /** Every request the attacker's host received, with its body. */
  const stolen: string[] = [];
  /** The sandbox's own hosts, port by port: the other ports of 127.0.0.1 are not allowed. */
  let sandboxHosts: string[];

  before(async () => {
    sandbox = await startTestSandbox();
    attacker = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        stolen.push(`${req.method} ${req.url} ${body}`);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    sandboxHosts = [sandbox.urls.mosip, sandbox.urls.esignet, sandbox.urls.odoo].map((u) => new URL(u).host);
  });
  after(async () => {
    await new Promise<void>((r) => attacker.close(() => r()));
    await sandbox.close();
  });

  /** Deps whose policy lets every deployment reach exactly `hosts` (the sandbox's, by default). */
  async function depsAllowing(
    hosts?: string[],
    privateNetworks = true,
    change?: (doc: WorkerPolicyFile) => void,
  ): Promise<ActivityDeps> {
    return testDeps(sandbox, (deps) => {
      const doc: WorkerPolicyFile = {
        secretsDir: deps.policy.secretsDir,
        deployments: [{ match: '*', hosts: hosts ?? sandboxHosts, privateNetworks }],
        identities: [],
      };
      change?.(doc);
      deps.policy = parseWorkerPolicy(doc, deps.policy.source);
      deps.secrets = {
        ...deps.secrets,
        env: { ...deps.secrets.env, TEMPORAL_API_KEY, G2P_ONBOARD_CODEC_KEYS: 'file:.data/codec-keys' },
      };
    });
  }

  const requestsSince = (mark: number) => sandbox.requests.slice(mark);

  test("a spec that sends the worker's Temporal API key to its author's host: the host is refused, nothing is sent", async () => {
    const deps = await depsAllowing();
    const spec = sandboxSpec(sandbox, 'tb-exfiltrate', (s) => {
      s.mosip.apiBaseUrl = attackerUrl;
      s.mosip.clientSecret = 'env:TEMPORAL_API_KEY';
    });
    const { message, hint } = await blocked(createActivities(deps).verifyPrerequisites(spec), 'EgressRefused');
    assert.match(message, new RegExp(`${new URL(attackerUrl).host} is not a host the worker policy allows`));
    assert.match(
      hint,
      /add 127\.0\.0\.1:\d+ to the hosts of deployment tb-exfiltrate in the worker policy .*\(deployments: match, hosts, privateNetworks\)/,
    );
    assert.deepEqual(stolen, []);
  });

  test("even on a host the policy allows, the worker's own secrets and another deployment's files are never read, so never sent", async () => {
    const deps = await depsAllowing([...sandboxHosts, new URL(attackerUrl).host]);
    // The other deployment's secret, and the worker's store holding its API key.
    await mkdir(join(deps.policy.secretsDir, 'tb-victim'), { recursive: true });
    await writeFile(join(deps.policy.secretsDir, 'tb-victim', 'mosip-client-secret'), 'victim-mosip-secret\n');
    await deps.credentials.update('tb-victim', (c) => ({ ...c, mispLicenseKey: 'victim-license-key' }));
    const attacks: [string, RegExp][] = [
      ['env:TEMPORAL_API_KEY', /TEMPORAL_API_KEY is one of the worker's own settings/],
      ['file:../tb-victim/mosip-client-secret', /`\.\.` is refused/],
      [`file:${deps.credentials.fileFor('tb-victim')}`, /absolute paths are refused/],
    ];
    for (const [i, [ref, reason]] of attacks.entries()) {
      const spec = sandboxSpec(sandbox, `tb-reach-${i}`, (s) => {
        s.mosip.apiBaseUrl = attackerUrl;
        s.mosip.clientSecret = ref;
        s.mosip.partnerAdmin.password = ref;
        s.mosip.certificateReader.clientSecret = ref;
      });
      const { message } = await blocked(createActivities(deps).verifyPrerequisites(spec), 'SecretUnavailable');
      assert.ok(message.includes(`${ref} cannot be resolved`), message);
      assert.match(message, reason);
    }
    for (const value of [TEMPORAL_API_KEY, 'victim-mosip-secret', 'victim-license-key']) {
      assert.ok(!stolen.some((r) => r.includes(value)), `${value} reached the attacker's host`);
    }
  });

  test('127.0.0.1 is refused when the policy does not allow private networks; the sandbox receives nothing', async () => {
    const deps = await depsAllowing(sandboxHosts, false);
    const mark = sandbox.requests.length;
    const { message, hint } = await blocked(
      createActivities(deps).verifyPrerequisites(sandboxSpec(sandbox, 'tb-loopback')),
      'EgressRefused',
    );
    assert.match(message, /resolves to 127\.0\.0\.1, a loopback, private or link-local address/);
    assert.match(hint, /set privateNetworks: true for deployment tb-loopback/);
    assert.deepEqual(requestsSince(mark), []);
  });

  test('a listed host whose name resolves to the cloud metadata address is refused as the connection opens', async () => {
    const deps = await depsAllowing(['esignet.example.test', ...sandboxHosts], false);
    const metadata = ((_host: string, _o: unknown, cb: (e: null, a: LookupAddress[]) => void) =>
      cb(null, [{ address: '169.254.169.254', family: 4 }])) as unknown as typeof dnsLookup;
    deps.http = { dnsLookup: metadata };
    const spec = sandboxSpec(sandbox, 'tb-metadata', (s) => {
      s.esignet.baseUrl = 'https://esignet.example.test/v1/esignet';
    });
    const { message } = await blocked(createActivities(deps).verifyPrerequisites(spec), 'EgressRefused');
    assert.match(message, /esignet\.example\.test resolves to 169\.254\.169\.254/);
  });

  test('a webhook on a host the policy does not list is refused and receives nothing; on a listed one it is delivered', async () => {
    const notice = reminder('tb-hook');
    const spec = sandboxSpec(sandbox, 'tb-hook', (s) => {
      s.approval.webhookUrl = `${attackerUrl}/hook`;
    });
    const refused = await blocked(
      createActivities(await depsAllowing()).notifyApprovers(spec, notice),
      'EgressRefused',
    );
    assert.match(refused.message, /is not a host the worker policy allows/);
    assert.deepEqual(stolen, []);
    assert.equal(
      await createActivities(await depsAllowing([new URL(attackerUrl).host])).notifyApprovers(spec, notice),
      'delivered',
    );
    assert.equal(stolen.length, 1);
    stolen.length = 0;
  });

  test('a notice links the approvals page the worker names, never one from the spec, and without one names the CLI', async () => {
    const spec = sandboxSpec(sandbox, 'tb-page', (s) => {
      s.approval.webhookUrl = `${attackerUrl}/hook`;
    });
    const deps = await depsAllowing([new URL(attackerUrl).host]);
    await createActivities(deps).notifyApprovers(spec, reminder('tb-page'));
    const plain = JSON.parse(stolen.pop()!.replace(/^POST \S+ /, '')) as Record<string, string>;
    assert.equal(plain.approvalsPage, undefined);
    assert.match(plain.howToApprove!, /^g2p-onboard approve tb-page/);

    await createActivities({ ...deps, approvalsPage: 'https://approvals.example.org' }).notifyApprovers(
      spec,
      reminder('tb-page'),
    );
    const linked = JSON.parse(stolen.pop()!.replace(/^POST \S+ /, '')) as Record<string, string>;
    assert.equal(linked.approvalsPage, 'https://approvals.example.org');
    assert.match(
      linked.howToApprove!,
      /^open https:\/\/approvals\.example\.org and decide with your passkey, or: g2p-onboard approve/,
    );
  });

  test('with no policy entry for the deployment, every activity that talks to a system is refused before sending anything', async () => {
    const deps = await depsAllowing(
      undefined,
      true,
      (doc) => (doc.deployments = [{ match: 'someone-else', hosts: sandboxHosts, privateNetworks: true }]),
    );
    const a = createActivities(deps);
    const spec = sandboxSpec(sandbox, 'tb-nothing', (s) => {
      s.approval.webhookUrl = `${sandbox.urls.control}/approval-notices`;
    });
    const pmsSpec: DeploymentSpec = { ...spec, oidcClient: { ...spec.oidcClient, registration: 'pms' } };
    const endpoints = {
      authorizationEndpoint: '',
      tokenEndpoint: '',
      userinfoEndpoint: '',
      jwksUri: '',
      issuer: '',
    } as never;
    const mark = sandbox.requests.length;
    // The client key lives in the worker's store (no network): configureOpenG2P names it by thumbprint.
    const clientKey = await a.generateClientKey(spec.deploymentId);
    const attempts: [string, () => Promise<unknown>][] = [
      ['verifyPrerequisites', () => a.verifyPrerequisites(spec)],
      ['createAuthPartner', () => a.createAuthPartner(spec)],
      ['createMispPartner', () => a.createMispPartner(spec)],
      ['requestAuthPolicyMapping', () => a.requestAuthPolicyMapping(spec)],
      ['requestMispLicense', () => a.requestMispLicense(spec)],
      ['awaitPolicyMappingDecision', () => a.awaitPolicyMappingDecision(spec, 'mapping-1')],
      ['decidePolicyMapping', () => a.decidePolicyMapping(spec, 'mapping-1', 'Approved')],
      ['collectCredentials', () => a.collectCredentials(spec)],
      ['registerOidcClient (e-Signet)', () => a.registerOidcClient(spec, { kty: 'RSA', kid: 'k' })],
      ['registerOidcClient (PMS)', () => a.registerOidcClient(pmsSpec, { kty: 'RSA', kid: 'k' })],
      [
        'configureOpenG2P',
        () =>
          a.configureOpenG2P(spec, {
            clientId: 'c',
            clientKeyThumbprint: clientKey.thumbprint,
            endpoints,
            generation: '1.x' as never,
          }),
      ],
      ['verifyIntegration', () => a.verifyIntegration(spec, { clientId: 'c', providerId: 1, endpoints })],
      ['notifyApprovers', () => a.notifyApprovers(spec, reminder('tb-nothing'))],
    ];
    for (const [name, attempt] of attempts) {
      const { hint } = await blocked(attempt(), 'EgressRefused').catch((err: Error) =>
        assert.fail(`${name}: ${err.message}`),
      );
      assert.match(hint, /to the hosts of deployment tb-nothing/, name);
    }
    assert.deepEqual(requestsSince(mark), []);
    assert.equal(sandbox.approvalNotices.length, 0);
  });

  test('a pre-existing credential store open to others (mode 0755) is refused with the chmod to run', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'g2p-store-')), 'credentials');
    await mkdir(dir, { mode: 0o755 });
    const deps = await depsAllowing();
    deps.credentials = new CredentialStore(dir);
    const { message, hint } = await blocked(
      createActivities(deps).generateClientKey('tb-store'),
      'CredentialStoreRefused',
    );
    assert.match(message, /open to group or others \(mode 755\)/);
    assert.match(hint, new RegExp(`chmod 700 ${dir.replace(/[.]/g, '\\.')}`));
    assert.ok(!existsSync(join(dir, 'tb-store.json')));
  });

  test('a deployment id that is a path never reaches the disk of the credential store', async () => {
    const root = await mkdtemp(join(tmpdir(), 'g2p-store-'));
    const deps = await depsAllowing();
    deps.credentials = new CredentialStore(join(root, 'a', 'credentials'));
    await blocked(createActivities(deps).generateClientKey('../../escaped'), 'CredentialStoreRefused');
    assert.ok(!existsSync(join(root, 'escaped.json')));
  });
});
