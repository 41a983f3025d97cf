// Private key custody, checked on every stored run: the OIDC client's private key (and any other
// private key) never enters history, not even encrypted. Every payload of every scenario in the
// corpus is decoded with the codec and searched for private key material.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Payload } from '@temporalio/common';
import { AesGcmCodec, ENCODING, keyRingFromKeys } from '../../src/security/codec.js';
import { readCorpus, TEST_ONLY_CORPUS_CODEC_KEY } from '../helpers/history-corpus.js';

const codec = new AesGcmCodec(keyRingFromKeys(Buffer.from(TEST_ONLY_CORPUS_CODEC_KEY, 'utf8')));

/** Every encrypted payload anywhere in a history (inputs, results, failures' encoded attributes…). */
function* encryptedPayloads(value: unknown): Generator<Payload> {
  if (!value || typeof value !== 'object') return;
  const maybe = value as Payload;
  if (maybe.metadata && maybe.data && Buffer.from(maybe.metadata.encoding ?? []).toString() === ENCODING) {
    yield maybe;
    return;
  }
  for (const child of Object.values(value)) yield* encryptedPayloads(child);
}

const PRIVATE_KEY_MATERIAL = [
  /PRIVATE KEY-----/,
  /"d"\s*:\s*"/,
  /"p"\s*:\s*"[A-Za-z0-9_-]{20,}/,
  /"q"\s*:\s*"[A-Za-z0-9_-]{20,}/,
];

test('no stored run holds private key material in any payload, decoded', async () => {
  const corpus = readCorpus();
  assert.ok(corpus.length > 0);
  let decoded = 0;
  const found: string[] = [];
  for (const entry of corpus) {
    for (const payload of encryptedPayloads(entry.history)) {
      const [plain] = await codec.decode([payload]);
      const text = Buffer.from(plain!.data ?? []).toString('utf8');
      decoded++;
      for (const pattern of PRIVATE_KEY_MATERIAL) if (pattern.test(text)) found.push(`${entry.name}: ${pattern}`);
    }
  }
  assert.ok(decoded > 100, `decoded ${decoded} payloads`);
  assert.deepEqual([...new Set(found)], []);
});
