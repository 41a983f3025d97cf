// Where the codec's keys come from: the secret reference in G2P_ONBOARD_CODEC_KEYS (default
// `file:.data/codec-keys`, which the local setup creates on first use; src/config/ reads it). The secret holds one
// base64 32-byte key per line; the first line is the current key, the rest keep old runs readable.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { resolveSecretRef, type SecretSource } from './secrets.js';
import { rememberSecretValue } from './known-secrets.js';
import { AesGcmCodec, keyRingFromKeys, type KeyRing } from './codec.js';

export const DEFAULT_CODEC_KEYS_REF = 'file:.data/codec-keys';

/** The key ring in the operator's reference `ref` (the worker's or codec server's configuration). */
export async function loadKeyRing(ref: string, source: SecretSource): Promise<KeyRing> {
  const text = await resolveSecretRef(ref, source);
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) rememberSecretValue(line);
  const keys = lines.map((l) => Buffer.from(l, 'base64'));
  if (keys.length === 0) throw new Error(`${ref} holds no codec key`);
  return keyRingFromKeys(keys[0]!, keys.slice(1));
}

/** For the local setup only (no reference configured): creates the default key file (owner-only) when it does not exist yet. */
export async function ensureLocalCodecKeys(baseDir = process.cwd()): Promise<void> {
  const file = resolve(baseDir, DEFAULT_CODEC_KEYS_REF.slice('file:'.length));
  if (existsSync(file)) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch((err) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
}

export async function loadCodec(ref: string, source: SecretSource): Promise<AesGcmCodec> {
  return new AesGcmCodec(await loadKeyRing(ref, source));
}
