import { createHash } from 'node:crypto';

/** SHA-256 hex of a value: how secrets and certificates are named in history and audit. */
export function sha256Hex(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}
