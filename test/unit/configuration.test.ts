// Each program's settings: defaults that work locally, values that reach the program, and a
// refusal that names the variable and the fix when one is wrong (a program must not start
// half-configured). The README's Configuration table lists exactly the variables the programs read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_MAX_CACHED_WORKFLOWS, WORKER_VARIABLES, workerConfigFrom } from '../../src/config/worker.js';
import { CODEC_SERVER_VARIABLES, codecServerConfigFrom } from '../../src/config/codec-server.js';
import { APPROVALS_PAGE_VARIABLES, approvalsPageConfigFrom } from '../../src/config/approvals-page.js';
import { CLI_VARIABLES, cliConfigFrom } from '../../src/config/cli.js';
import { describeVariables, type VariableTable } from '../../src/config/variables.js';
// dist/test/unit → the project root.
const projectRoot = resolve(import.meta.dirname, '..', '..', '..');

test('without settings the worker caches a bounded number of runs and uses the local files', () => {
  const config = workerConfigFrom({}, '/srv/g2p');
  assert.deepEqual(config.tuning, { maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS });
  assert.equal(config.policyFile, '/srv/g2p/.data/worker-policy.yaml');
  assert.equal(config.credentialsDir, '/srv/g2p/.data/credentials');
  assert.equal(config.codecKeysRef, 'file:.data/codec-keys');
  assert.equal(config.localCodecKeys, true);
  assert.equal(config.logLevel, 'INFO');
});

test('worker settings from the environment reach the worker options', () => {
  const config = workerConfigFrom({
    G2P_ONBOARD_MAX_CACHED_WORKFLOWS: '0',
    G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES: '40',
    G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
    G2P_ONBOARD_WORKFLOW_THREADS: '2',
    G2P_ONBOARD_CODEC_KEYS: 'env:MY_KEYS',
    G2P_ONBOARD_LOG_LEVEL: 'debug',
  });
  assert.deepEqual(config.tuning, {
    maxCachedWorkflows: 0,
    maxConcurrentActivityTaskExecutions: 40,
    maxConcurrentWorkflowTaskExecutions: 8,
    workflowThreadPoolSize: 2,
  });
  assert.equal(config.codecKeysRef, 'env:MY_KEYS');
  assert.equal(config.localCodecKeys, false, 'a configured key ring is never generated');
  assert.equal(config.logLevel, 'DEBUG');
});

test('a wrong worker setting is refused with the variable, the value and what is expected, all at once', () => {
  assert.throws(
    () =>
      workerConfigFrom({
        G2P_ONBOARD_MAX_CACHED_WORKFLOWS: 'lots',
        G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS: '1',
        G2P_ONBOARD_LOG_LEVEL: 'loud',
        G2P_ONBOARD_CODEC_KEYS: '/etc/keys',
      }),
    (err: Error) =>
      /G2P_ONBOARD_MAX_CACHED_WORKFLOWS="lots": .*whole number/.test(err.message) &&
      /G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS="1": .*at least 2/.test(err.message) &&
      /G2P_ONBOARD_LOG_LEVEL="loud": use one of TRACE, DEBUG, INFO, WARN, ERROR/.test(err.message) &&
      /G2P_ONBOARD_CODEC_KEYS="\/etc\/keys": use a secret reference, file:path or env:NAME/.test(err.message),
  );
});

test('the codec server refuses settings that only work together when one is missing', () => {
  assert.throws(
    () => codecServerConfigFrom({ G2P_ONBOARD_CODEC_SERVER_TLS_CERT: 'cert.pem' }),
    /G2P_ONBOARD_CODEC_SERVER_TLS_CERT="cert\.pem": set both G2P_ONBOARD_CODEC_SERVER_TLS_CERT and G2P_ONBOARD_CODEC_SERVER_TLS_KEY/,
  );
  assert.throws(
    () => codecServerConfigFrom({ G2P_ONBOARD_CODEC_SERVER_CROSS_SITE: 'true' }),
    /G2P_ONBOARD_CODEC_SERVER_CROSS_SITE="true": needs https/,
  );
  assert.throws(
    () => codecServerConfigFrom({ G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS: 'yes' }),
    /G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS="yes": use true or false/,
  );
  assert.throws(
    () => codecServerConfigFrom({ G2P_ONBOARD_CODEC_SERVER_UI_ORIGINS: 'https://temporal.example.org/ui' }),
    /is not an origin/,
  );
  assert.throws(
    () => codecServerConfigFrom({ G2P_ONBOARD_CODEC_SERVER_PORT: '70000' }),
    /G2P_ONBOARD_CODEC_SERVER_PORT="70000": not a port number/,
  );
  const behindProxy = codecServerConfigFrom({
    G2P_ONBOARD_CODEC_SERVER_CROSS_SITE: 'true',
    G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS: 'true',
    G2P_ONBOARD_CODEC_SERVER_PORT: '0',
  });
  assert.equal(behindProxy.crossSiteCookie, true);
  assert.equal(behindProxy.port, 0);
  assert.deepEqual(codecServerConfigFrom({}).uiOrigins, ['http://127.0.0.1:8233', 'http://localhost:8233']);
});

test('the approvals page serves passkeys only where browsers offer them: https, or http on localhost', () => {
  const local = approvalsPageConfigFrom({});
  assert.equal(local.origin, 'http://localhost:8235');
  assert.equal(local.rpId, 'localhost');
  assert.equal(local.secureCookies, false);
  assert.throws(
    () => approvalsPageConfigFrom({ G2P_ONBOARD_APPROVALS_ORIGIN: 'http://127.0.0.1:8235' }),
    /G2P_ONBOARD_APPROVALS_ORIGIN="http:\/\/127\.0\.0\.1:8235": a host name, not an IP address/,
  );
  assert.throws(
    () => approvalsPageConfigFrom({ G2P_ONBOARD_APPROVALS_ORIGIN: 'http://approvals.example.org' }),
    /https: browsers offer passkeys over plain http on localhost only/,
  );
  assert.throws(
    () => approvalsPageConfigFrom({ G2P_ONBOARD_APPROVALS_HOST: '0.0.0.0' }),
    /G2P_ONBOARD_APPROVALS_HOST="0\.0\.0\.0": beyond loopback the page serves only over https/,
  );
  assert.throws(
    () => approvalsPageConfigFrom({ G2P_ONBOARD_APPROVALS_SESSION_MINUTES: '600' }),
    /at most 60: sessions are short-lived/,
  );
  const production = approvalsPageConfigFrom({
    G2P_ONBOARD_APPROVALS_ORIGIN: 'https://approvals.example.org',
    G2P_ONBOARD_APPROVALS_HOST: '0.0.0.0',
    G2P_ONBOARD_APPROVALS_BEHIND_TLS: 'true',
  });
  assert.equal(production.rpId, 'approvals.example.org');
  assert.equal(production.secureCookies, true);
});

test('a token or key given in a variable is never repeated in the error about it', () => {
  const key = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ\n-----END PRIVATE KEY-----';
  assert.throws(
    () => cliConfigFrom({ G2P_ONBOARD_KEY: key }),
    (err: Error) =>
      /G2P_ONBOARD_KEY=\(value hidden\): takes a file path or env:NAME, never the key itself/.test(err.message) &&
      !err.message.includes('MC4CAQ'),
  );
});

test('an empty variable counts as unset', () => {
  assert.equal(
    workerConfigFrom({ G2P_ONBOARD_MAX_CACHED_WORKFLOWS: '' }).tuning.maxCachedWorkflows,
    DEFAULT_MAX_CACHED_WORKFLOWS,
  );
  assert.equal(cliConfigFrom({ G2P_ONBOARD_POLICY: '' }).policyFile, undefined);
});

/** The README's Configuration tables: program → variable → default, as written there. */
function readmeConfiguration(): Map<string, Map<string, string>> {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1),
  );
  const tables = new Map<string, Map<string, string>>();
  let program: string | undefined;
  for (const line of section.split('\n')) {
    const heading = /^### (.+)$/.exec(line);
    if (heading) program = heading[1]!.trim();
    const row = /^\| `([A-Z0-9_]+)` \| ([^|]*) \|/.exec(line);
    if (row && program) {
      if (!tables.has(program)) tables.set(program, new Map());
      tables.get(program)!.set(row[1]!, row[2]!.trim().replace(/^`(.*)`$/, '$1'));
    }
  }
  return tables;
}

test("the README's Configuration section lists exactly the variables each program reads, with their defaults", () => {
  const programs: Record<string, VariableTable> = {
    Worker: WORKER_VARIABLES,
    CLI: CLI_VARIABLES,
    'Codec server': CODEC_SERVER_VARIABLES,
    'Approvals page': APPROVALS_PAGE_VARIABLES,
  };
  const readme = readmeConfiguration();
  assert.deepEqual(
    [...readme.keys()].sort(),
    Object.keys(programs).sort(),
    'one table per program, under ### <program>',
  );
  for (const [program, table] of Object.entries(programs)) {
    const documented = readme.get(program)!;
    assert.deepEqual([...documented.keys()].sort(), Object.keys(table).sort(), `README, Configuration, ${program}`);
    for (const v of describeVariables(table))
      assert.equal(documented.get(v.name), v.default, `README default of ${v.name} (${program})`);
  }
});
