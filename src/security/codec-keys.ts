// Where the codec's keys come from: the secret reference in G2P_ONBOARD_CODEC_KEYS (default
// `file:.data/codec-keys`, which the local setup creates on first use). The secret holds one
// base64 32-byte key per line; the first line is the current key, the rest keep old runs readable.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { resolveSecretRef } from './secrets.js';
import { rememberSecretValue } from './known-secrets.js';
import { AesGcmCodec, keyRingFromKeys, type KeyRing } from './codec.js';

export const DEFAULT_CODEC_KEYS_REF = 'file:.data/codec-keys';

export function codecKeysRef(env: NodeJS.ProcessEnv = process.env): string {
  return env.G2P_ONBOARD_CODEC_KEYS ?? DEFAULT_CODEC_KEYS_REF;
}

export async function loadKeyRing(env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): Promise<KeyRing> {
  const text = await resolveSecretRef(codecKeysRef(env), { env, baseDir });
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) rememberSecretValue(line);
  const keys = lines.map((l) => Buffer.from(l, 'base64'));
  if (keys.length === 0) throw new Error(`${codecKeysRef(env)} holds no codec key`);
  return keyRingFromKeys(keys[0]!, keys.slice(1));
}

/** For the local setup only: creates the default key file (owner-only) when it does not exist yet. */
export async function ensureLocalCodecKeys(baseDir = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.G2P_ONBOARD_CODEC_KEYS) return;
  const file = resolve(baseDir, DEFAULT_CODEC_KEYS_REF.slice('file:'.length));
  if (existsSync(file)) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch((err) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
}

export async function loadCodec(env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): Promise<AesGcmCodec> {
  return new AesGcmCodec(await loadKeyRing(env, baseDir));
}
