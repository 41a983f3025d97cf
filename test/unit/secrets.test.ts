// Secret references resolve on the worker only, and failures name the reference, not a value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSecretRef, SecretScope, SecretUnavailable } from '../../src/security/secrets.js';
import { redact } from '../../src/security/redact.js';

test('env: and file: references resolve; a missing one names the reference', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-'));
  await writeFile(join(dir, 'odoo'), 'pw-from-file\n');
  const source = { env: { ODOO: 'pw-from-env' }, baseDir: dir };
  assert.equal(await resolveSecretRef('env:ODOO', source), 'pw-from-env');
  assert.equal(await resolveSecretRef('file:odoo', source), 'pw-from-file');
  await assert.rejects(resolveSecretRef('env:MISSING', source), (err: unknown) => err instanceof SecretUnavailable && /env:MISSING/.test((err as Error).message));
  await assert.rejects(resolveSecretRef('file:nope', source), /file:nope cannot be resolved/);
});

test('redaction removes every resolved value and its base64 form', async () => {
  const scope = new SecretScope({ env: { A: 'correct-horse-battery' }, baseDir: '.' });
  const value = await scope.get('env:A');
  const b64 = Buffer.from(value).toString('base64');
  const text = redact(`login failed for correct-horse-battery (${b64}); Cookie Authorization=eyJabc.def; Bearer eyJxyz`, scope.known());
  assert.ok(!text.includes(value));
  assert.ok(!text.includes(b64));
  assert.ok(!text.includes('eyJabc'));
  assert.ok(!text.includes('eyJxyz'));
});
