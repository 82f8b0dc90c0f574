import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter of every Temporal client and worker of the project while payloads are encrypted, and of the
 * workflow bundle: a failure's message and stack trace travel as an encoded payload (so the codec encrypts them) and
 * the history shows only the SDK's `Encoded failure`. Without it they are clear text in every failed activity,
 * update and workflow, readable by anyone with namespace access. Loaded by path (`failureConverterPath`): the SDK
 * requires it in the client and the worker, and bundles it into the workflow sandbox, so it imports nothing else.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
