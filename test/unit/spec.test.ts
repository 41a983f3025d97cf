// The deployment spec: what onboarding staff see when a spec is right or wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseSpec, SpecError } from '../../src/spec/load.js';
import { durationMs, mosipServiceUrls, onboardingWorkflowId, redirectUris } from '../../src/spec/derived.js';
import { projectRoot } from '../../src/project-root.js';
import { approverPublicJwk } from '../helpers/approvers.js';

const examplesDir = join(projectRoot, 'examples');
const exampleText = async () => readFile(join(examplesDir, 'sandbox.yaml'), 'utf8');

function problemsOf(text: string): SpecError['problems'] {
  try {
    parseSpec(text, 'bad.yaml');
  } catch (err) {
    assert.ok(err instanceof SpecError, `expected SpecError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('the spec was accepted');
}

test('the sandbox example is valid and fills in the guide defaults', async () => {
  const spec = parseSpec(await exampleText(), 'examples/sandbox.yaml');
  assert.deepEqual(
    spec.approval.approvers,
    [{ name: 'sandbox-partner-admin' }],
    "approvers are named; their keys are the worker registry's",
  );
  assert.equal(spec.deploymentId, 'openg2p-sandbox');
  assert.deepEqual(spec.oidcClient.acrs, ['mosip:idp:acr:biometrics', 'mosip:idp:acr:generated-code']);
  assert.deepEqual(spec.oidcClient.claims, [
    'birthdate',
    'address',
    'gender',
    'name',
    'phone_number',
    'email',
    'picture',
  ]);
  assert.equal(spec.openg2p.provider.tokenMap, 'sub:user_id');
  assert.equal(spec.openg2p.provider.userGroupXmlId, 'base.group_portal');
  assert.equal(onboardingWorkflowId(spec.deploymentId), 'onboard-openg2p-sandbox');
  assert.deepEqual(redirectUris(spec), ['http://127.0.0.1:18082/auth_oauth/signin']);
  assert.equal(mosipServiceUrls(spec.mosip).pms, 'http://127.0.0.1:18080/v1/partnermanager');
});

test('every problem is listed with its path and line, not just the first', async () => {
  const doc = parse(await exampleText());
  doc.partners.auth.email = 'not-an-email';
  doc.mosip.clientSecret = 'hunter2';
  doc.esignet.baseUrl = 'http://esignet.example.org/v1/esignet';
  delete doc.openg2p.database;
  doc.partners.auth.id = 'has space';
  const problems = problemsOf(stringify(doc));
  const byPath = new Map(problems.map((p) => [p.path, p]));
  assert.ok(byPath.get('partners.auth.email')?.message.includes('PMS_PRT_012'));
  assert.ok(byPath.get('mosip.clientSecret')?.message.includes('secret reference'));
  assert.ok(byPath.get('esignet.baseUrl')?.message.includes('https'));
  assert.ok(byPath.get('openg2p.database')?.message.startsWith('required'));
  assert.ok(byPath.get('partners.auth.id')?.message.includes('whitespace'));
  assert.equal(problems.length, 5);
  for (const p of problems) assert.ok(typeof p.line === 'number' && p.line > 0, `${p.path} has a line`);
});

test('a base URL that is not a URL at all is one located problem, not a crash', async () => {
  const doc = parse(await exampleText());
  doc.mosip.apiBaseUrl = 'nope';
  const problems = problemsOf(stringify(doc));
  assert.deepEqual(
    problems.map((p) => p.path),
    ['mosip.apiBaseUrl'],
  );
  assert.match(problems[0]!.message, /absolute URL/);
});

test('a secret value pasted into the spec is refused, and the message does not repeat it', async () => {
  const doc = parse(await exampleText());
  doc.openg2p.password = 'S3cret-odoo-pw';
  const problems = problemsOf(stringify(doc));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.path, 'openg2p.password');
  assert.ok(!problems[0]!.message.includes('S3cret-odoo-pw'));
});

test('misspelled fields are named, and broken YAML is reported with its line', async () => {
  const doc = parse(await exampleText());
  doc.oidcClient.logoUrl = doc.oidcClient.logoUri;
  delete doc.oidcClient.logoUri;
  const problems = problemsOf(stringify(doc));
  assert.ok(problems.some((p) => p.path === 'oidcClient.logoUrl' && p.message.includes('did you mean logoUri?')));
  assert.ok(problems.some((p) => p.path === 'oidcClient.logoUri'));
  const yamlProblems = problemsOf('deploymentId: x\n  bad: [indent\n');
  assert.ok(yamlProblems[0]!.message.startsWith('not valid YAML'));
});

test('esignet.clientManagement is required when the client is registered through e-Signet, and only then', async () => {
  const doc = parse(await exampleText());
  delete doc.esignet.clientManagement;
  // registration defaults to esignet: the missing block is named, with the reason and the fix.
  for (const registration of [undefined, 'esignet']) {
    if (registration) doc.oidcClient.registration = registration;
    const problems = problemsOf(stringify(doc));
    assert.equal(problems.length, 1, JSON.stringify(problems));
    const [p] = problems;
    assert.equal(p!.path, 'esignet.clientManagement');
    assert.ok(p!.message.includes('oidcClient.registration is esignet'), p!.message);
    assert.ok(p!.message.includes('oidcClient.registration: pms'), 'the hint names the alternative');
    assert.ok(typeof p!.line === 'number' && p!.line > 0, 'located at its parent, esignet');
  }

  // Reported together with unrelated problems, not only once they are fixed.
  const alongside = parse(stringify(doc));
  delete alongside.openg2p.database;
  assert.deepEqual(
    problemsOf(stringify(alongside))
      .map((p) => p.path)
      .sort(),
    ['esignet.clientManagement', 'openg2p.database'],
  );

  doc.oidcClient.registration = 'pms';
  const pms = parseSpec(stringify(doc), 'pms.yaml');
  assert.equal(pms.esignet.clientManagement, undefined);

  // Given anyway on the PMS path: accepted (unused), so switching paths needs no other edit.
  const both = parse(await exampleText());
  both.oidcClient.registration = 'pms';
  assert.equal(parseSpec(stringify(both), 'pms.yaml').esignet.clientManagement?.clientId, 'mosip-pms-client');
});

test('the PMS example is valid without esignet.clientManagement', async () => {
  const text = await readFile(join(examplesDir, 'sandbox-pms.yaml'), 'utf8');
  const spec = parseSpec(text, 'examples/sandbox-pms.yaml');
  assert.equal(spec.oidcClient.registration, 'pms');
  assert.equal(spec.esignet.clientManagement, undefined);
});

test('durations use human units', () => {
  assert.equal(durationMs('14d'), 14 * 86_400_000);
  assert.equal(durationMs('12h'), 43_200_000);
  assert.equal(durationMs('30s'), 30_000);
});

test('a spec that brings approver keys is refused: keys come from the worker identity registry', async () => {
  const doc = parse(await exampleText());
  doc.approval.approvers = [
    { name: 'mallory', publicKey: approverPublicJwk('mallory') },
    { name: 'mallory2', publicKeyFile: 'mallory.pub' },
  ];
  const problems = problemsOf(stringify(doc));
  assert.deepEqual(problems.map((p) => p.path).sort(), [
    'approval.approvers[0].publicKey',
    'approval.approvers[1].publicKeyFile',
  ]);
  for (const p of problems) assert.match(p.message, /identity registry/);
});

test('durations are bounded: a 0ms poll or a deadline past the date range is refused', async () => {
  const doc = parse(await exampleText());
  doc.approval.pollInterval = '0ms';
  doc.approval.deadline = '999999999d';
  doc.approval.maxDecisionAge = '30d';
  const problems = problemsOf(stringify(doc));
  assert.deepEqual(problems.map((p) => p.path).sort(), [
    'approval.deadline',
    'approval.maxDecisionAge',
    'approval.pollInterval',
  ]);
  assert.match(problems.find((p) => p.path === 'approval.pollInterval')!.message, /between 1s and 1d/);
});

test('logo, redirect and webhook URLs must be https: javascript: and plain http elsewhere are refused', async () => {
  const doc = parse(await exampleText());
  doc.oidcClient.logoUri = 'javascript:alert(1)';
  doc.oidcClient.extraRedirectUris = ['http://openg2p.example.org/cb', 'data:text/html,hi'];
  doc.approval.webhookUrl = 'http://hooks.example.org/notices';
  const problems = problemsOf(stringify(doc));
  assert.deepEqual(problems.map((p) => p.path).sort(), [
    'approval.webhookUrl',
    'oidcClient.extraRedirectUris[0]',
    'oidcClient.extraRedirectUris[1]',
    'oidcClient.logoUri',
  ]);
});
