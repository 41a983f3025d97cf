// What a spec asks for that the worker would refuse, shown by `validate` before anything runs:
// with the worker's policy, hosts and variable names too; without, what no policy allows.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { specRefusals } from '../../src/security/spec-admission.js';
import { parseWorkerPolicy } from '../../src/security/worker-policy.js';
import { validateSpec } from '../../src/spec/load.js';
import { projectRoot } from '../../src/project-root.js';
import type { DeploymentSpecInput } from '../../src/spec/schema.js';
import { approver } from '../helpers/approvers.js';

const run = promisify(execFile);
const CLI = join(projectRoot, 'dist', 'src', 'cli', 'main.js');

/** examples/sandbox.yaml with an inline approver key (its key file exists only once the sandbox ran). */
async function exampleSpecData(): Promise<DeploymentSpecInput> {
  const data = parse(await readFile(join(projectRoot, 'examples', 'sandbox.yaml'), 'utf8')) as DeploymentSpecInput;
  data.approval.approvers = [approver('alice')];
  return data;
}

const policyFor = (deployments: { match: string; hosts: string[]; privateNetworks?: boolean }[], envPrefix?: string) =>
  parseWorkerPolicy(
    { secretsDir: '/srv/g2p/secrets', deployments, identities: [], ...(envPrefix ? { envPrefix } : {}) },
    '/etc/g2p-onboard/worker-policy.yaml',
  );

/** The finding's spec: the worker's own keys and another deployment's credentials, sent to the author's host. */
function attackersSpec(data: DeploymentSpecInput) {
  data.mosip.apiBaseUrl = 'https://collector.attacker.example';
  data.mosip.clientSecret = 'env:TEMPORAL_API_KEY';
  data.mosip.partnerAdmin.password = 'file:/opt/g2p-onboard/.data/codec-keys';
  data.mosip.certificateReader.clientSecret = 'file:../other-deployment/mosip-client-secret';
  data.openg2p.password = 'env:G2P_ONBOARD_CODEC_KEYS';
  data.tls = { caFile: '../../etc/ssl/private/key.pem' };
  const spec = validateSpec(data);
  // The schema refuses plain http too; set after it, as a spec that bypassed the CLI reaches the worker.
  spec.approval.webhookUrl = 'http://hooks.attacker.example/notices';
  return spec;
}

describe('spec admission: what the worker would refuse, per field', () => {
  test("without a policy: absolute and `..` files, the worker's own variables and plain http off loopback", async () => {
    const refusals = specRefusals(attackersSpec(await exampleSpecData()));
    const byPath = Object.fromEntries(refusals.map((r) => [r.path, r.message]));
    assert.match(
      byPath['mosip.clientSecret']!,
      /env:TEMPORAL_API_KEY: TEMPORAL_API_KEY is one of the worker's own settings/,
    );
    assert.match(byPath['openg2p.password']!, /G2P_ONBOARD_CODEC_KEYS is one of the worker's own settings/);
    assert.match(byPath['mosip.partnerAdmin.password']!, /absolute paths are refused/);
    assert.match(byPath['mosip.certificateReader.clientSecret']!, /`\.\.` is refused/);
    assert.match(byPath['tls.caFile']!, /`\.\.` is refused/);
    assert.match(
      byPath['approval.webhookUrl']!,
      /http:\/\/hooks\.attacker\.example is refused: the worker sends only https/,
    );
    assert.equal(byPath['mosip.apiBaseUrl'], undefined, 'hosts need the policy');
  });

  test('with a policy: hosts it does not allow this deployment, and variables outside its prefix', async () => {
    const data = await exampleSpecData();
    data.esignet.clientManagement!.clientSecret = 'env:ESIGNET_SECRET';
    data.mosip.apiBaseUrl = 'https://collector.attacker.example';
    data.openg2p.url = 'https://10.0.0.5';
    const policy = policyFor([{ match: 'openg2p-*', hosts: ['127.0.0.1', '*.mosip.example.org', '10.0.0.5'] }]);
    const refusals = specRefusals(validateSpec(data), policy);
    const byPath = Object.fromEntries(refusals.map((r) => [r.path, r.message]));
    assert.match(
      byPath['esignet.clientManagement.clientSecret']!,
      /only environment variables starting with G2P_SECRET_/,
    );
    assert.match(
      byPath['mosip.apiBaseUrl']!,
      /collector\.attacker\.example is not a host the worker policy allows.*add collector\.attacker\.example to the hosts of deployment openg2p-sandbox in the worker policy \/etc\/g2p-onboard\/worker-policy\.yaml/,
    );
    assert.match(
      byPath['openg2p.url']!,
      /10\.0\.0\.5 is a loopback, private or link-local address: set privateNetworks: true/,
    );
    assert.match(byPath['esignet.baseUrl']!, /127\.0\.0\.1 is a loopback, private or link-local address/);
  });

  test('a deployment the policy has no entry for may reach nothing', async () => {
    const refusals = specRefusals(
      validateSpec(await exampleSpecData()),
      policyFor([{ match: 'other-*', hosts: ['127.0.0.1'] }]),
    );
    assert.deepEqual(refusals.filter((r) => r.path === 'deploymentId').length, 1);
    assert.match(
      refusals.find((r) => r.path === 'deploymentId')!.message,
      /no deployments entry matching openg2p-sandbox/,
    );
  });

  test("the example spec passes the sandbox's loopback policy", async () => {
    const policy = policyFor([{ match: '*', hosts: ['127.0.0.1', 'localhost'], privateNetworks: true }]);
    assert.deepEqual(specRefusals(validateSpec(await exampleSpecData()), policy), []);
  });
});

describe('g2p-onboard validate with the worker policy', () => {
  let dir: string;
  let goodSpec: string;
  let badSpec: string;
  let policyFile: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'g2p-validate-policy-'));
    goodSpec = join(dir, 'good.yaml');
    await writeFile(goodSpec, stringify(await exampleSpecData()));
    const bad = await exampleSpecData();
    bad.mosip.apiBaseUrl = 'https://collector.attacker.example';
    bad.mosip.clientSecret = 'env:TEMPORAL_API_KEY';
    bad.openg2p.password = 'file:../other-deployment/odoo-password';
    badSpec = join(dir, 'bad.yaml');
    await writeFile(badSpec, stringify(bad));
    policyFile = join(dir, 'worker-policy.yaml');
    await writeFile(
      policyFile,
      stringify({
        secretsDir: 'secrets',
        deployments: [{ match: 'openg2p-*', hosts: ['127.0.0.1'], privateNetworks: true }],
      }),
    );
  });

  const validate = async (...args: string[]) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('G2P_ONBOARD_')));
    return run(process.execPath, [CLI, 'validate', ...args], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({
        code: err.code,
        stdout: err.stdout,
        stderr: err.stderr,
      }),
    );
  };

  test('lists each refused field with its path and line, exit code 2', async () => {
    const res = await validate(badSpec, '--policy', policyFile);
    assert.equal(res.code, 2, res.stderr);
    assert.match(
      res.stderr,
      /mosip\.apiBaseUrl \(line \d+\): collector\.attacker\.example is not a host the worker policy allows/,
    );
    assert.match(
      res.stderr,
      /mosip\.clientSecret \(line \d+\): env:TEMPORAL_API_KEY: TEMPORAL_API_KEY is one of the worker's own settings/,
    );
    assert.match(
      res.stderr,
      /openg2p\.password \(line \d+\): file:\.\.\/other-deployment\/odoo-password: `\.\.` is refused/,
    );
  });

  test('without a policy it still refuses what it can see offline, and says hosts went unchecked on a good spec', async () => {
    const res = await validate(badSpec);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /mosip\.clientSecret/);
    assert.doesNotMatch(res.stderr, /mosip\.apiBaseUrl/);
    const good = await validate(goodSpec);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /no worker policy given/);
    const checked = await validate(goodSpec, '--policy', policyFile);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /checked against the worker policy/);
  });
});
