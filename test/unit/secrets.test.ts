// Secret references resolve on the worker only, within what its policy lets the deployment read;
// failures name the reference, never a value, and never tell a spec author what exists elsewhere.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  resolveSecretRef,
  SecretScope,
  SecretUnavailable,
  specSecretSource,
  type SpecSecretSource,
} from '../../src/security/secrets.js';
import { redact } from '../../src/security/redact.js';

test("the operator's own references (codec keys, codec server token) resolve from any variable or path", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-'));
  await writeFile(join(dir, 'odoo'), 'pw-from-file\n');
  const source = { env: { ODOO: 'pw-from-env' }, baseDir: dir };
  assert.equal(await resolveSecretRef('env:ODOO', source), 'pw-from-env');
  assert.equal(await resolveSecretRef('file:odoo', source), 'pw-from-file');
  await assert.rejects(
    resolveSecretRef('env:MISSING', source),
    (err: unknown) => err instanceof SecretUnavailable && /env:MISSING/.test((err as Error).message),
  );
  await assert.rejects(resolveSecretRef('file:nope', source), /file:nope cannot be resolved/);
});

test('redaction removes every resolved value and its base64 form', async () => {
  const scope = new SecretScope({
    env: { G2P_SECRET_A: 'correct-horse-battery' },
    envPrefix: 'G2P_SECRET_',
    folder: '.',
    protectedPaths: [],
  });
  const value = await scope.get('env:G2P_SECRET_A');
  const b64 = Buffer.from(value).toString('base64');
  const text = redact(
    `login failed for correct-horse-battery (${b64}); Cookie Authorization=eyJabc.def; Bearer eyJxyz`,
    scope.known(),
  );
  assert.ok(!text.includes(value));
  assert.ok(!text.includes(b64));
  assert.ok(!text.includes('eyJabc'));
  assert.ok(!text.includes('eyJxyz'));
});

/**
 * A worker's disk as the attacks find it: the policy's secrets folder with two deployments, the
 * worker's codec keys and credential store, and a file outside everything (standing for /etc/passwd).
 */
async function workerDisk() {
  const root = await mkdtemp(join(tmpdir(), 'g2p-secrets-policy-'));
  const secretsDir = join(root, 'secrets');
  const mine = join(secretsDir, 'dep-a');
  const other = join(secretsDir, 'dep-b');
  await mkdir(join(mine, 'mosip'), { recursive: true });
  await mkdir(other, { recursive: true });
  await writeFile(join(mine, 'odoo-password'), 'odoo-pw-of-a\n');
  await writeFile(join(mine, 'mosip', 'client-secret'), 'mosip-secret-of-a\n');
  await writeFile(join(other, 'odoo-password'), 'odoo-pw-of-b\n');
  await writeFile(join(root, 'outside'), 'outside-the-secrets-folder\n');
  await mkdir(join(root, '.data', 'credentials'), { recursive: true });
  await writeFile(join(root, '.data', 'codec-keys'), 'codec-key-base64\n');
  await writeFile(join(root, '.data', 'credentials', 'dep-b.json'), '{"apiKey":"b-api-key"}\n');
  const source = specSecretSource({ secretsDir, envPrefix: 'G2P_SECRET_' }, 'dep-a', {
    env: {
      G2P_SECRET_ODOO: 'from-env',
      TEMPORAL_API_KEY: 'temporal-cloud-key',
      G2P_ONBOARD_CODEC_KEYS: 'file:.data/codec-keys',
      MOSIP_SECRET: 'unprefixed',
      G2P_SECRET_CODEC: 'codec-in-env',
    },
    protectedPaths: [join(root, '.data', 'codec-keys'), join(root, '.data', 'credentials')],
    protectedEnvNames: ['G2P_SECRET_CODEC'],
  });
  return { root, secretsDir, mine, other, source };
}

/** Asserts `ref` is refused with `reason`, and that the message holds none of the given values. */
async function refused(source: SpecSecretSource, ref: string, reason: RegExp, values: string[] = []): Promise<string> {
  let message = '';
  await assert.rejects(new SecretScope(source).get(ref), (err: unknown) => {
    assert.ok(err instanceof SecretUnavailable, String(err));
    message = err.message;
    return true;
  });
  assert.ok(message.includes(ref), message);
  assert.match(message, reason);
  for (const value of values) assert.ok(!message.includes(value), `the message shows ${value}`);
  return message;
}

describe("a spec's secret references, confined by the worker policy", () => {
  const uniform = /no readable file of that name in the deployment's secrets folder on the worker$/;

  test("files relative to the deployment's folder, and prefixed variables, resolve", async () => {
    const { source } = await workerDisk();
    const scope = new SecretScope(source);
    assert.equal(await scope.get('file:odoo-password'), 'odoo-pw-of-a');
    assert.equal(await scope.get('file:mosip/client-secret'), 'mosip-secret-of-a');
    assert.equal(await scope.get('env:G2P_SECRET_ODOO'), 'from-env');
  });

  test("env:TEMPORAL_API_KEY and env:G2P_ONBOARD_CODEC_KEYS are refused as the worker's own settings", async () => {
    const { source } = await workerDisk();
    await refused(source, 'env:TEMPORAL_API_KEY', /one of the worker's own settings/, ['temporal-cloud-key']);
    await refused(source, 'env:G2P_ONBOARD_CODEC_KEYS', /one of the worker's own settings/);
  });

  test('a variable without the policy prefix, or holding the codec keys, is refused', async () => {
    const { source } = await workerDisk();
    await refused(source, 'env:MOSIP_SECRET', /only environment variables starting with G2P_SECRET_/, ['unprefixed']);
    await refused(source, 'env:G2P_SECRET_CODEC', /holds one of the worker's own keys/, ['codec-in-env']);
  });

  test('file:/etc/passwd and file:../other-deployment/x are refused before anything is read', async () => {
    const { source } = await workerDisk();
    await refused(source, 'file:/etc/passwd', /absolute paths are refused/);
    await refused(source, 'file:../dep-b/odoo-password', /`\.\.` is refused/, ['odoo-pw-of-b']);
    await refused(source, 'file:mosip/../../dep-b/odoo-password', /`\.\.` is refused/, ['odoo-pw-of-b']);
  });

  test('a symlink in the deployment folder leading outside reads nothing, with the same words as a missing file', async () => {
    const { root, mine, source } = await workerDisk();
    await symlink(join(root, 'outside'), join(mine, 'link-to-existing'));
    await symlink(join(root, 'no-such-file'), join(mine, 'link-to-missing'));
    await symlink('/dev/zero', join(mine, 'zeros'));
    const existing = await refused(source, 'file:link-to-existing', uniform, ['outside-the-secrets-folder']);
    const missing = await refused(source, 'file:link-to-missing', uniform);
    await refused(source, 'file:zeros', uniform);
    await refused(source, 'file:not-there', uniform);
    assert.equal(
      existing.replace('link-to-existing', 'X'),
      missing.replace('link-to-missing', 'X'),
      'an outside file that exists and one that does not read alike',
    );
  });

  test('an unreadable file reads like a missing one (no ENOENT or EACCES in the message)', async (t) => {
    if (process.getuid?.() === 0) return t.skip('root reads any file');
    const { mine, source } = await workerDisk();
    await writeFile(join(mine, 'locked'), 'locked\n', { mode: 0o000 });
    const message = await refused(source, 'file:locked', uniform);
    assert.doesNotMatch(message, /ENOENT|EACCES/);
    await chmod(join(mine, 'locked'), 0o600);
  });

  test('file:.data/codec-keys and a file in the credential store are refused even when secretsDir is set wrongly around them', async () => {
    const { root, source } = await workerDisk();
    // The operator made the worker's own directory a deployment's secrets folder: everything is "inside".
    const misconfigured = { ...source, folder: root };
    await refused(misconfigured, 'file:.data/codec-keys', uniform, ['codec-key-base64']);
    await refused(misconfigured, 'file:.data/credentials/dep-b.json', uniform, ['b-api-key']);
    assert.equal(
      await new SecretScope(misconfigured).get('file:outside'),
      'outside-the-secrets-folder',
      'other files there still read',
    );
    // Where it is not misconfigured, the old reach (relative to the worker's directory) is simply gone.
    await refused(source, 'file:.data/codec-keys', uniform);
  });

  test('a file larger than 64 KiB is refused without reading it whole (a 600 MB one costs nothing)', async () => {
    const { mine, source } = await workerDisk();
    await writeFile(join(mine, 'big'), '');
    await truncate(join(mine, 'big'), 600 * 1024 * 1024);
    await refused(source, 'file:big', /larger than the 64 KiB the worker reads/);
    await mkdir(join(mine, 'folder'));
    await refused(source, 'file:folder', /not a regular file/);
  });

  test('a deployment id that is a path is refused before any folder is derived from it', () => {
    assert.throws(
      () =>
        specSecretSource({ secretsDir: '/x', envPrefix: 'G2P_SECRET_' }, '../../etc', { env: {}, protectedPaths: [] }),
      /not a deployment id/,
    );
  });
});
