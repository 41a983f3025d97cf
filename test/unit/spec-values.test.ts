// Values the systems would refuse later — or accept and misbehave on — are refused at validate,
// at the offending key, with what to write instead (not the validator's own wording).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { parseSpec } from '../../src/spec/load.js';
import { apiKeyLabel } from '../../src/spec/derived.js';
import { defaultApiKeyLabel } from '../../src/spec/api-key-label.js';
import { oidcClientId } from '../../src/activities/oidc-client-esignet.js';
import { exampleData, lineContaining, problemAt, problemsOf } from '../helpers/spec-problems.js';

test('a URL with whitespace or a port out of range says which, not "must be an absolute URL"', async () => {
  const data = await exampleData();
  data.mosip.apiBaseUrl = 'https://api.example.org:99999';
  data.esignet.baseUrl = 'https://esignet.example.org/v1/ esignet';
  data.openg2p.url = 'https://openg2p.example.org:0';
  data.oidcClient.logoUri = ' https://openg2p.org/logo.png';
  data.approval.webhookUrl = 'hooks.example.org/notices';
  const problems = problemsOf(stringify(data));
  assert.match(problemAt(problems, 'mosip.apiBaseUrl').message, /port 99999 .*1 to 65535/);
  assert.match(problemAt(problems, 'openg2p.url').message, /port 0 .*1 to 65535/);
  assert.match(problemAt(problems, 'esignet.baseUrl').message, /whitespace after "[^"]*\/v1\/": remove it/);
  assert.match(problemAt(problems, 'oidcClient.logoUri').message, /whitespace at its start or end/);
  assert.match(
    problemAt(problems, 'approval.webhookUrl').message,
    /starting with https:\/\/ \(e\.g\. https:\/\/hooks\.example\.org\/notices\)/,
  );
  for (const p of problems) assert.doesNotMatch(p.message, /must be an absolute URL such as/);
});

test('a plain-http logo on a public host is refused, saying browsers block it on the https login page', async () => {
  const data = await exampleData();
  data.oidcClient.logoUri = 'http://openg2p.org/logo.png';
  const [problem, ...rest] = problemsOf(stringify(data));
  assert.deepEqual(rest, []);
  assert.equal(problem!.path, 'oidcClient.logoUri');
  assert.match(problem!.message, /https login page, where browsers block plain http/);
});

test('a derived API-key label longer than a given one may be is refused at the deployment id, with both ways out', async () => {
  const data = await exampleData();
  data.deploymentId = 'openg2p-ministry-of-social-protection';
  const text = stringify(data);
  const [problem, ...rest] = problemsOf(text);
  assert.deepEqual(rest, []);
  assert.equal(problem!.path, 'deploymentId');
  assert.equal(problem!.line, lineContaining(text, 'deploymentId:'));
  assert.match(
    problem!.message,
    /openg2p-ministry-of-social-protection-openg2p, is 45 characters; PMS labels are held to 32: set partners\.auth\.apiKeyLabel, or shorten the deployment id/,
  );

  data.partners.auth.apiKeyLabel = 'ministry-openg2p';
  assert.equal(apiKeyLabel(parseSpec(stringify(data), 'ok.yaml')), 'ministry-openg2p', 'a given label is the way out');
  delete data.partners.auth.apiKeyLabel;
  data.deploymentId = 'openg2p-sandbox';
  const spec = parseSpec(stringify(data), 'ok.yaml');
  assert.equal(
    apiKeyLabel(spec),
    defaultApiKeyLabel(spec.deploymentId),
    'the schema checks the label the run will use',
  );
});

test("the derived e-Signet client id stays within e-Signet's 100 characters for the longest deployment id", () => {
  assert.ok(oidcClientId('a'.repeat(63), 'x'.repeat(43)).length <= 100);
});

test('a contact number that is not a phone number is refused; an unquoted one is told to be quoted', async () => {
  const data = await exampleData();
  data.partners.auth.contactNumber = 'call Bob';
  data.partners.misp.contactNumber = 4930123456;
  const problems = problemsOf(stringify(data));
  assert.match(problemAt(problems, 'partners.auth.contactNumber').message, /must be a phone number/);
  assert.match(
    problemAt(problems, 'partners.misp.contactNumber').message,
    /YAML read 4930123456 as a number: put it in quotes/,
  );
  data.partners.auth.contactNumber = '+49 30 1234-56';
  data.partners.misp.contactNumber = '(030) 123456';
  parseSpec(stringify(data), 'phones.yaml');
});

test('zero, negative and unit-less intervals are refused with what to write', async () => {
  const data = await exampleData();
  data.approval.pollInterval = '0s';
  data.approval.reminderInterval = '-1d';
  data.approval.escalateAfter = 60;
  const problems = problemsOf(stringify(data));
  assert.match(
    problemAt(problems, 'approval.pollInterval').message,
    /between 1s and 1d \(zero would not wait at all\)/,
  );
  assert.match(problemAt(problems, 'approval.reminderInterval').message, /must be positive/);
  assert.match(problemAt(problems, 'approval.escalateAfter').message, /needs a unit: write 60s, 60m/);
});

test('reminders, escalation or polling not shorter than the deadline are refused at their own key', async () => {
  const data = await exampleData();
  data.approval.deadline = '2d';
  data.approval.reminderInterval = '3d';
  data.approval.escalateAfter = '2d';
  const text = stringify(data);
  const problems = problemsOf(text);
  assert.deepEqual(problems.map((p) => p.path).sort(), ['approval.escalateAfter', 'approval.reminderInterval']);
  assert.equal(problemAt(problems, 'approval.reminderInterval').line, lineContaining(text, 'reminderInterval'));
  assert.match(
    problemAt(problems, 'approval.reminderInterval').message,
    /3d is not shorter than approval\.deadline \(2d\): no reminder would ever be sent/,
  );
  assert.match(problemAt(problems, 'approval.escalateAfter').message, /the escalation would never be sent/);
  data.approval.pollInterval = '1d';
  data.approval.deadline = '12h';
  delete data.approval.reminderInterval;
  delete data.approval.escalateAfter;
  assert.match(
    problemAt(problemsOf(stringify(data)), 'approval.pollInterval').message,
    /never be seen before the run times out/,
  );
});

test('an OpenG2P scope without openid is refused', async () => {
  const data = await exampleData();
  data.openg2p.provider.scope = 'profile email';
  assert.match(problemAt(problemsOf(stringify(data)), 'openg2p.provider.scope').message, /must include openid/);
});

test('claims and ACRs e-Signet certainly does not know are refused per entry; values it may be configured with pass', async () => {
  const data = await exampleData();
  data.oidcClient.claims = ['name', 'phoneNumber', 'openid', 'given_name email'];
  data.oidcClient.acrs = ['otp', 'mosip:idp:acr:Biometrics', 'mosip:idp:acr:static-code mosip:idp:acr:pwd'];
  const problems = problemsOf(stringify(data));
  assert.deepEqual(
    problems.map((p) => p.path),
    [
      'oidcClient.claims[1]',
      'oidcClient.claims[2]',
      'oidcClient.claims[3]',
      'oidcClient.acrs[0]',
      'oidcClient.acrs[1]',
      'oidcClient.acrs[2]',
    ],
  );
  assert.match(problems[0]!.message, /write phone_number/);
  assert.match(problems[1]!.message, /openid is a scope, not a claim/);
  assert.match(problems[2]!.message, /one claim per entry/);
  assert.match(problems[3]!.message, /write mosip:idp:acr:generated-code/);
  assert.match(problems[4]!.message, /write mosip:idp:acr:biometrics/);
  assert.match(problems[5]!.message, /mosip:idp:acr:pwd .*write mosip:idp:acr:password/);

  // Deployment configuration may add claims and ACRs: those are e-Signet's to judge.
  data.oidcClient.claims = ['name', 'given_name', 'individual_id'];
  data.oidcClient.acrs = [
    'mosip:idp:acr:id-token',
    'mosip:idp:acr:generated-code mosip:idp:acr:biometrics',
    'urn:example:acr:custom',
  ];
  parseSpec(stringify(data), 'configured.yaml');
});

test('library wording is translated into what to write', async () => {
  const data = await exampleData();
  data.mosip.clientId = 42;
  data.mosip.partnerAdmin = 'partneradmin';
  data.approval.approvers = { name: 'sandbox-partner-admin' };
  data.approval.recordInPms = 'no';
  data.oidcClient.registration = 'PMS';
  data.openg2p.database = '';
  data.verification = null;
  const problems = problemsOf(stringify(data));
  assert.match(problemAt(problems, 'mosip.clientId').message, /YAML read 42 as a number: put it in quotes/);
  assert.match(problemAt(problems, 'mosip.partnerAdmin').message, /must be a block of fields indented below this line/);
  assert.match(
    problemAt(problems, 'approval.approvers').message,
    /must be a list \(each entry on its own line starting with "- "/,
  );
  assert.match(problemAt(problems, 'approval.recordInPms').message, /must be true or false \(without quotes\)/);
  assert.match(problemAt(problems, 'oidcClient.registration').message, /must be one of: pms, esignet/);
  assert.match(problemAt(problems, 'openg2p.database').message, /must not be empty/);
  assert.match(problemAt(problems, 'verification').message, /is empty: add its fields/);
  for (const p of problems) assert.doesNotMatch(p.message, /Invalid input|expected \w+, received/);
});

test('an unknown field is reported at its own line with the field it was probably meant to be', async () => {
  const text = stringify(await exampleData()).replace(
    '  database: openg2p\n',
    '  database: openg2p\n  databse: other\n',
  );
  const [problem, ...rest] = problemsOf(text);
  assert.deepEqual(rest, []);
  assert.equal(problem!.path, 'openg2p.databse');
  assert.equal(problem!.line, lineContaining(text, 'databse'), 'the key itself, not its parent openg2p');
  assert.match(problem!.message, /did you mean database\?/);
});
