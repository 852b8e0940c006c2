import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Error messages and stack traces travel as an encoded payload instead of plain text, so the payload codec encrypts
 * them too: an SMTP refusal such as "550 <grace@acme.example>: mailbox unavailable" is personal data.
 *
 * Loaded by path (DataConverter.failureConverterPath) in the worker's main thread, in the workflow sandbox (bundled)
 * and in clients: see common/codec.ts.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
