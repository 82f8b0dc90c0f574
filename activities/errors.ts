import { ApplicationFailure } from '@temporalio/activity';
import { DomainError } from '../src/errors';
import { ProviderHttpError } from '../src/payments/http-json';

/**
 * Turns what an activity's dependencies throw into what Temporal should do with it:
 *  - a DomainError (insufficient stock, unknown product…) is a business outcome: non-retryable, typed by its code;
 *  - a provider's definite 4xx answer is non-retryable too (`payment_rejected` unless told otherwise);
 *  - anything else (network, 5xx, database down) is rethrown as is, and Temporal retries it.
 */
export function toActivityFailure(err: unknown, providerRejectionType = 'payment_rejected'): unknown {
  if (err instanceof DomainError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details], nonRetryable: true, cause: err });
  }
  if (err instanceof ProviderHttpError && !err.retryable) {
    return ApplicationFailure.create({
      type: providerRejectionType,
      message: `${err.code}: ${err.message}`,
      details: [{ code: err.code, status: err.status }],
      nonRetryable: true,
    });
  }
  return err;
}
