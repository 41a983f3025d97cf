// `npm run sandbox -- …`: what its command line starts, and how a mistake is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../src/project-root.js';
import { sandboxConfigFromArgs } from '../../sandbox/config.js';
import { FAILING_KINDS } from '../../sandbox/faults.js';

test('with no options the sandbox serves the loopback ports the example spec names, for both example deployments', () => {
  const config = sandboxConfigFromArgs([]);
  const example = parse(readFileSync(join(projectRoot, 'examples', 'sandbox.yaml'), 'utf8')) as {
    deploymentId: string;
    mosip: { apiBaseUrl: string };
    esignet: { baseUrl: string };
    openg2p: { url: string };
    approval: { webhookUrl: string };
  };
  const port = (url: string) => Number(new URL(url).port);
  assert.deepEqual(config.options.ports, {
    mosip: port(example.mosip.apiBaseUrl),
    esignet: port(example.esignet.baseUrl),
    odoo: port(example.openg2p.url),
    control: port(example.approval.webhookUrl),
  });
  assert.equal(config.options.host, undefined, 'loopback unless told otherwise');
  assert.ok(config.deployments.includes(example.deploymentId));
  assert.equal(config.secretsDir, resolve('.data/sandbox/secrets'));
  assert.equal(config.options.esignetVersion, '1.4.1');
  assert.equal(config.options.odooVersion, 15);
  assert.equal(config.options.esignetWithoutUiFront, undefined, "e-Signet's discovery names JWKS it serves");
  assert.deepEqual(config.options.faults, { rules: [], global: { rate: 0, kinds: FAILING_KINDS, latencyMs: 0 } });
});

test('--esignet-without-ui-front plays an e-Signet deployed without its UI front', () => {
  assert.equal(sandboxConfigFromArgs(['--esignet-without-ui-front']).options.esignetWithoutUiFront, true);
});

test('fault options become the faults the sandbox starts with', () => {
  const config = sandboxConfigFromArgs([
    '--fault',
    'POST /v1/partnermanager/partners=commit-then-fail:once',
    '--fault-rate',
    '0.2',
    '--fault-kinds',
    'reset, hang',
    '--latency-ms',
    '50',
    '--esignet-version',
    '1.7.0',
    '--odoo-version',
    '17',
    '--auto-approve-ms',
    '0',
  ]);
  const [rule] = config.options.faults.rules;
  assert.equal(rule?.kind, 'commit-then-fail');
  assert.equal(rule?.count, 1);
  assert.deepEqual(config.options.faults.global, { rate: 0.2, kinds: ['reset', 'hang'], latencyMs: 50 });
  assert.equal(config.options.esignetVersion, '1.7.0');
  assert.equal(config.options.odooVersion, 17);
  assert.equal(config.options.autoApproveMappingsAfterMs, 0, 'approval at once is a setting, not "off"');
});

test('a mistyped option stops the sandbox before it starts, naming the option, the rule and the value given', () => {
  const refusals: [string[], RegExp][] = [
    [
      ['--esignet-version', '1.5'],
      /^--esignet-version must be one of 1\.4\.1, 1\.5\.1, 1\.6\.2, 1\.7\.0, 1\.7\.1 \(got "1\.5"\)$/,
    ],
    [['--odoo-version', '16'], /^--odoo-version must be 15 or 17/],
    [['--fault-rate', '2'], /^--fault-rate must be a probability between 0 and 1/],
    [['--fault-kinds', 'error,bogus'], /^--fault-kinds unknown kind/],
    [['--latency-ms', '1.5'], /^--latency-ms must be a whole number of milliseconds/],
    [['--mosip-port', '70000'], /^--mosip-port must be a port number/],
    [['--deployment', 'Not_An_Id'], /^--deployment not a deployment id .*\(got "Not_An_Id"\)$/],
    [['--fault', 'POST /x'], /expected <METHOD> <path>=<kind>/],
    [['--no-such-option'], /Unknown option '--no-such-option'/],
  ];
  for (const [args, message] of refusals) assert.throws(() => sandboxConfigFromArgs(args), { message }, args.join(' '));
});
