// Which server and namespace the CLI and worker use follows Temporal's standard environment
// configuration, so one setup serves the `temporal` CLI and g2p-onboard alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient, loadConnectionConfig, temporalUiUrl } from '../../src/temporal/connection.js';
import { cliConfigFrom } from '../../src/config/cli.js';
import { claimPort } from '../../scripts/temporal/dev-server.js';

test('with no configuration at all the local dev server is used: localhost:7233, namespace default, no TLS', () => {
  const config = loadConnectionConfig({ env: {} });
  assert.equal(config.address, 'localhost:7233');
  assert.equal(config.namespace, 'default');
  assert.deepEqual(config.connectionOptions, { address: 'localhost:7233' });
});

test('TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY are honoured, and an API key turns TLS on', () => {
  const config = loadConnectionConfig({
    env: { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'key-123' },
  });
  assert.equal(config.address, 'ns.acct.tmprl.cloud:7233');
  assert.equal(config.namespace, 'ns.acct');
  assert.equal(config.connectionOptions.apiKey, 'key-123');
  assert.equal(config.connectionOptions.tls, true);
});

test('a TOML profile selected by TEMPORAL_PROFILE is used, environment variables override its fields, explicit values override both', () => {
  const dir = mkdtempSync(join(tmpdir(), 'g2p-envconfig-'));
  try {
    const configFile = join(dir, 'temporal.toml');
    writeFileSync(
      configFile,
      [
        '[profile.staging]',
        'address = "temporal.staging.example:7233"',
        'namespace = "onboarding"',
        '[profile.staging.tls]',
        'server_name = "temporal.staging.example"',
      ].join('\n'),
    );
    const fromProfile = loadConnectionConfig({
      env: { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'staging' },
    });
    assert.equal(fromProfile.address, 'temporal.staging.example:7233');
    assert.equal(fromProfile.namespace, 'onboarding');
    const tls = fromProfile.connectionOptions.tls;
    assert.ok(tls && typeof tls === 'object', 'the profile turns TLS on');
    assert.equal(tls.serverNameOverride, 'temporal.staging.example');

    const overridden = loadConnectionConfig({
      env: { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'staging', TEMPORAL_NAMESPACE: 'other' },
      address: '127.0.0.1:9999',
    });
    assert.equal(overridden.address, '127.0.0.1:9999');
    assert.equal(overridden.namespace, 'other');

    assert.throws(
      () => loadConnectionConfig({ env: { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'prod' } }),
      /profile 'prod' not found/i,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('UI links point at the run history, encode ids, and follow the UI address given (TEMPORAL_UI_URL)', () => {
  assert.equal(
    temporalUiUrl('default', 'onboard-dep/1', 'run-1'),
    'http://127.0.0.1:8233/namespaces/default/workflows/onboard-dep%2F1/run-1/history',
  );
  assert.equal(
    temporalUiUrl(
      'ns.acct',
      'onboard-x',
      undefined,
      cliConfigFrom({ TEMPORAL_UI_URL: 'https://cloud.temporal.io/' }).uiUrl,
    ),
    'https://cloud.temporal.io/namespaces/ns.acct/workflows/onboard-x',
  );
});

test('connecting to an address where no server listens fails with a message that says how to start one', async () => {
  const freePort = await claimPort(0, '127.0.0.1', 'probe');
  await assert.rejects(
    connectClient({ env: {}, address: `127.0.0.1:${freePort}`, connectTimeoutMs: 1_000 }),
    /cannot reach the Temporal server at 127\.0\.0\.1:\d+.*npm run temporal/s,
  );
});
