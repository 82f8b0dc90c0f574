import { ApplicationFailure } from '@temporalio/activity';
import { DriverException } from '@mikro-orm/core';
import { DomainError } from '../src/errors';
import { ProviderHttpError } from '../src/payments/http-json';
import { PAYMENT_REJECTED } from '../workflows/order/state-machine';

/**
 * Turns what an activity's dependencies throw into what Temporal should do with it:
 *  - a DomainError (insufficient stock, unknown product…) is a business outcome: non-retryable, typed by its code;
 *  - a provider's definite 4xx answer is non-retryable too (`payment_rejected` unless told otherwise);
 *  - a database error that the same statement would raise again (a CHECK or other constraint violated, a numeric
 *    overflow: SQLSTATE classes 22 and 23) is non-retryable (`database_rejected`), so the saga compensates instead
 *    of retrying for ever;
 *  - anything else (network, 5xx, database down, deadlock) is rethrown as is, and Temporal retries it.
 */
export function toActivityFailure(err: unknown, providerRejectionType = PAYMENT_REJECTED): unknown {
  if (isDeterministicDatabaseError(err)) {
    const { code } = err as DriverException;
    return ApplicationFailure.create({ type: DATABASE_REJECTED, message: `the database refused the statement (SQLSTATE ${code})`, details: [{ sqlState: code }], nonRetryable: true });
  }
  if (err instanceof DomainError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details], nonRetryable: true, cause: err });
  }
  if (err instanceof ProviderHttpError && !err.retryable) {
    // A fixed message: the provider's own text may echo what it was sent (Stripe names the PaymentMethod). Its code
    // and status travel in the (encrypted) details.
    return ApplicationFailure.create({
      type: providerRejectionType,
      message: 'the payment provider refused the request',
      details: [{ code: err.code, status: err.status }],
      nonRetryable: true,
    });
  }
  return err;
}

/** The ApplicationFailure type of a statement the database refuses whatever the number of attempts. */
export const DATABASE_REJECTED = 'database_rejected';

/** A data exception (22xxx: numeric overflow, invalid value) or an integrity violation (23xxx: CHECK, unique, FK). */
export function isDeterministicDatabaseError(err: unknown): boolean {
  // MikroORM wraps pg's error in a DriverException that keeps the SQLSTATE in `code`.
  return err instanceof DriverException && typeof err.code === 'string' && /^2[23][0-9A-Z]{3}$/.test(err.code);
}

/** A business failure raised by an activity itself. */
export function nonRetryable(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, details: details === undefined ? undefined : [details], nonRetryable: true });
}
