// What marks a payload as ours: the encoding our codec writes. Apart from codec.ts so clients
// that never hold the key ring (the CLI, through the codec server) check it without loading the
// protobuf definitions the codec needs.
import type { Payload } from '@temporalio/common';

export const ENCODING = 'binary/encrypted';
export const METADATA_ENCODING_KEY = 'encoding';

/** The payload's encoding metadata as text ('' when absent). */
export function encodingOf(payload: Payload): string {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding ? Buffer.from(encoding).toString() : '';
}

/** A payload our codec did not encrypt (plain JSON written past the codec): refused when decoding. */
export class UnencryptedPayloadError extends Error {
  override name = 'UnencryptedPayloadError';
  constructor(encoding: string) {
    super(
      `refused a payload that is not encrypted (encoding ${JSON.stringify(encoding || '(none)')}, expected ${ENCODING}): ` +
        'inputs, signals and updates must come through the g2p-onboard CLI or the codec server, never as plain payloads',
    );
  }
}

/** Throws unless every payload carries our encoding. */
export function assertEncrypted(payloads: Payload[]): void {
  for (const payload of payloads) {
    const encoding = encodingOf(payload);
    if (encoding !== ENCODING) throw new UnencryptedPayloadError(encoding);
  }
}
