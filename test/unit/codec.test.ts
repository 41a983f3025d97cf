// The payload codec: what Temporal stores is ciphertext, and rotated keys keep old runs readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DefaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, keyRingFromKeys } from '../../src/security/codec.js';

const converter = new DefaultPayloadConverter();

test('encoded payloads hide the value and decode back to it', async () => {
  const codec = new AesGcmCodec(keyRingFromKeys(randomBytes(32)));
  const secret = { privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIIEv-secret-material' };
  const [encoded] = await codec.encode([converter.toPayload(secret)]);
  assert.ok(!Buffer.from(encoded!.data!).toString('latin1').includes('secret-material'));
  assert.equal(Buffer.from(encoded!.metadata!.encoding!).toString(), 'binary/encrypted');
  const [decoded] = await codec.decode([encoded!]);
  assert.deepEqual(converter.fromPayload(decoded!), secret);
});

test('after a key rotation old payloads stay readable and new ones use the new key', async () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new AesGcmCodec(keyRingFromKeys(oldKey));
  const [old] = await before.encode([converter.toPayload('from last year')]);
  const after = new AesGcmCodec(keyRingFromKeys(newKey, [oldKey]));
  assert.equal(converter.fromPayload((await after.decode([old!]))[0]!), 'from last year');
  const [fresh] = await after.encode([converter.toPayload('today')]);
  assert.notEqual(
    Buffer.from(fresh!.metadata!['encryption-key-id']!).toString(),
    Buffer.from(old!.metadata!['encryption-key-id']!).toString(),
  );
  await assert.rejects(before.decode([fresh!]), /not in this key ring/);
});

test('a tampered payload is refused', async () => {
  const codec = new AesGcmCodec(keyRingFromKeys(randomBytes(32)));
  const [encoded] = await codec.encode([converter.toPayload('approve')]);
  const data = Buffer.from(encoded!.data!);
  data[20] = data[20]! ^ 0xff;
  await assert.rejects(codec.decode([{ ...encoded!, data }]));
});

test('a payload the codec did not encrypt is refused: plain JSON written past it is never decoded as input', async () => {
  const codec = new AesGcmCodec(keyRingFromKeys(randomBytes(32)));
  const forged = converter.toPayload({ deploymentId: 'forged', mosip: { apiBaseUrl: 'https://attacker.example' } });
  await assert.rejects(
    codec.decode([forged]),
    (err: Error) =>
      err.name === 'UnencryptedPayloadError' &&
      /not encrypted \(encoding "json\/plain"/.test(err.message) &&
      !err.message.includes('attacker'),
  );
  await assert.rejects(codec.decode([{ metadata: {}, data: Buffer.from('{}') }]), /encoding "\(none\)"/);
  assert.deepEqual(await codec.decode([]), [], 'an empty list (a query without arguments) decodes to nothing');
});
