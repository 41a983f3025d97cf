// The failure converter of every worker, workflow and client. Workflow code loads it inside the
// sandbox (bundled through `failureConverterPath`), so it imports nothing but the SDK.
import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Moves each failure's message and stack trace into an encoded payload, which the payload codec
 * then encrypts: history keeps only the SDK's placeholder message, never an error's text.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
