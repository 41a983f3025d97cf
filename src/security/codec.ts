// AES-256-GCM payload codec: every payload the client and worker exchange with Temporal
// (inputs, results, updates, queries, failure details) is stored as ciphertext. The key id
// travels in the payload metadata so keys can rotate: new payloads use the current key,
// older ones stay readable while their key is kept in the key ring. It decodes only what it
// encrypted: anyone with Temporal access can write plain payloads (`temporal workflow start
// --input …`), and a worker that accepted them would run forged inputs.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { ENCODING, METADATA_ENCODING_KEY, encodingOf, UnencryptedPayloadError } from './payload-encoding.js';

// CommonJS package: its namespaces come through the default export under ESM.
const { temporal } = proto;

export { ENCODING, encodingOf, UnencryptedPayloadError } from './payload-encoding.js';
const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface KeyRing {
  /** Key id used for new payloads. */
  currentKeyId: string;
  /** Every key still needed to read existing history, by id. 32 bytes each. */
  keys: Map<string, Buffer>;
}

/** A key's id: the first 16 hex chars of its SHA-256, so the id reveals nothing of the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function keyRingFromKeys(current: Buffer, older: Buffer[] = []): KeyRing {
  for (const k of [current, ...older]) if (k.length !== 32) throw new Error('codec keys must be 32 bytes (AES-256)');
  const keys = new Map<string, Buffer>();
  for (const k of [current, ...older]) keys.set(keyIdOf(k), k);
  return { currentKeyId: keyIdOf(current), keys };
}

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.ring.currentKeyId;
    const key = this.ring.keys.get(keyId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is bound to the ciphertext so a payload cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(keyId));
      const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCODING),
          [METADATA_KEY_ID]: Buffer.from(keyId),
        },
        data: body,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // The SDK skips headers and search attributes, and sends no payload for argument-less
      // queries (__stack_trace): everything that does reach here was encoded by a codec like this one.
      const encoding = encodingOf(payload);
      if (encoding !== ENCODING) throw new UnencryptedPayloadError(encoding);
      const keyId = Buffer.from(payload.metadata?.[METADATA_KEY_ID] ?? []).toString();
      const key = this.ring.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with key ${keyId}, which is not in this key ring`);
      const body = Buffer.from(payload.data ?? []);
      const iv = body.subarray(0, IV_BYTES);
      const tag = body.subarray(body.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([
        decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
