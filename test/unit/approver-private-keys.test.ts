// The private half of a key pasted where a public key belongs: refused in a spec (which never
// takes keys anyway) and in the worker's identity registry, saying the key is exposed and must be
// rotated — and never repeating it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { normaliseApproverKey } from '../../src/approvals/keys.js';
import { parseWorkerPolicy, PolicyError } from '../../src/security/worker-policy.js';
import { exampleData, problemsOf } from '../helpers/spec-problems.js';

const ed25519 = generateKeyPairSync('ed25519');
const privatePem = ed25519.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const privateJwk = ed25519.privateKey.export({ format: 'jwk' });
const ecPrivatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'sec1' })
  .toString();

async function openSshPrivateKey(): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'g2p-ssh-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')], { stdio: 'ignore' });
    return await readFile(join(dir, 'id'), 'utf8');
  } catch {
    return undefined; // no ssh-keygen here: the PEM and JWK cases still run
  }
}

const ROTATE = /exposed .*must be rotated/;

test("a private key pasted as an approver's key in a spec says it must be rotated, and still points to the registry", async () => {
  const ssh = await openSshPrivateKey();
  const data = await exampleData();
  data.approval.approvers = [
    { name: 'pem', publicKey: privatePem },
    { name: 'jwk', publicKey: privateJwk },
    { name: 'jwk-text', publicKey: JSON.stringify(privateJwk) },
    { name: 'ec', publicKeyFile: ecPrivatePem },
    ...(ssh ? [{ name: 'ssh', publicKey: ssh }] : []),
    {
      name: 'public',
      publicKey: createPublicKey(ed25519.privateKey).export({ format: 'pem', type: 'spki' }).toString(),
    },
  ];
  data.approval.required = 1;
  const problems = problemsOf(stringify(data));
  const byName = (i: number) => problems.find((p) => p.path.startsWith(`approval.approvers[${i}]`))!.message;
  assert.match(byName(0), /PEM private key/);
  assert.match(byName(1), /private JWK \(it has the private member "d"\)/);
  assert.match(byName(2), /private JWK/);
  assert.match(byName(3), /PEM private key \(EC PRIVATE KEY\)/);
  for (const i of [0, 1, 2, 3]) {
    assert.match(byName(i), ROTATE);
    assert.match(byName(i), /identity registry/);
  }
  if (ssh) assert.match(byName(4), /OpenSSH private key.*exposed/);
  const publicOne = problems.find((p) => p.path === `approval.approvers[${ssh ? 5 : 4}].publicKey`)!.message;
  assert.match(publicOne, /identity registry/);
  assert.doesNotMatch(publicOne, ROTATE, 'a public key is not burnt');
  const all = problems.map((p) => p.message).join('\n');
  assert.ok(
    !all.includes(String(privateJwk.d)) && !all.includes(privatePem.split('\n')[1]!),
    'the key is never repeated',
  );
});

test('a private key pasted as a secret value is refused with the same advice', async () => {
  const data = await exampleData();
  data.openg2p.password = privatePem;
  const [problem] = problemsOf(stringify(data));
  assert.match(problem!.message, ROTATE);
  assert.match(problem!.message, /secret reference/);
});

test("the worker's identity registry refuses a private key as publicKey or publicKeyFile, saying to rotate it", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'g2p-policy-'));
  await writeFile(join(dir, 'alice.key'), privatePem);
  const policy = (identity: Record<string, unknown>) =>
    parseWorkerPolicy(
      { secretsDir: 'secrets', identities: [{ name: 'alice', roles: ['approver'], ...identity }] },
      join(dir, 'worker-policy.yaml'),
    );
  for (const identity of [
    { publicKey: privateJwk },
    { publicKey: privatePem },
    { publicKey: ecPrivatePem },
    { publicKeyFile: 'alice.key' },
  ]) {
    assert.throws(
      () => policy(identity),
      (err: Error) =>
        err instanceof PolicyError &&
        /identities\[0\] \(alice\): this is a (private JWK|PEM private key)/.test(err.message) &&
        ROTATE.test(err.message),
    );
  }
  const ssh = await openSshPrivateKey();
  if (ssh) assert.throws(() => policy({ publicKey: ssh }), /OpenSSH private key.*exposed/);
  // The public halves are what belongs there.
  const { x } = createPublicKey(ed25519.privateKey).export({ format: 'jwk' });
  assert.equal(policy({ publicKey: { kty: 'OKP', crv: 'Ed25519', x } }).identities[0]!.publicKey?.x, x);
});

test('an unreadable public key is explained in words, not OpenSSL decoder codes', () => {
  const cases: [unknown, RegExp][] = [
    ['-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA', /cut short/],
    ['AAAAC3NzaC1lZDI1NTE5', /neither a PEM block nor an ssh- line/],
    ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', /certificate; give the public key itself/],
    [{ kty: 'OKP', crv: 'Ed25519' }, /lacks or garbles its public members/],
  ];
  for (const [value, advice] of cases) {
    assert.throws(
      () => normaliseApproverKey(value),
      (err: Error) => advice.test(err.message) && !/error:[0-9A-F]{8}|DECODER|routines/.test(err.message),
    );
  }
});
