// The one data converter of workers and clients: our payload codec plus the failure converter
// that encrypts failure messages. Kept apart from failure-converter.ts, which must stay loadable
// in the workflow sandbox (no node: modules).
import { resolve } from 'node:path';
import type { DataConverter, PayloadCodec } from '@temporalio/common';

/**
 * The compiled failure-converter module. The SDK takes it by path only: workers and clients
 * `require()` it, the workflow bundle embeds it.
 */
export const FAILURE_CONVERTER_PATH = resolve(import.meta.dirname, 'failure-converter.js');

/** `dataConverter` for a Worker or Client: the codec, and failures encoded so the codec covers them. */
export function dataConverterFor(codec: PayloadCodec): DataConverter {
  return withFailureConverter({ payloadCodecs: [codec] });
}

/** Adds our failure converter to a data converter that names none. */
export function withFailureConverter(dataConverter: DataConverter = {}): DataConverter {
  return { ...dataConverter, failureConverterPath: dataConverter.failureConverterPath ?? FAILURE_CONVERTER_PATH };
}
