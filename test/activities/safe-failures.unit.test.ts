import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { DriverException } from '@mikro-orm/core';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { safeFailure, SAFE_FAILURES, withSafeFailures } from '../../activities/safe-failures';
import { toActivityFailure } from '../../activities/errors';
import { testLogger } from '../harness/env';

// What an activity's dependencies throw ends up in the workflow's history as its failure: their text must not.
describe('activity failures carry fixed messages, never the text of what failed', () => {
  const logger = testLogger();
  const email = 'alice.secret@example.com';
  const paymentMethod = 'pm_1SecretMethod42';

  it('a database error (which quotes bound values) leaves as a retryable database_error with a fixed message', () => {
    const driver = new DriverException(Object.assign(new Error(`insert into "orders" values ('${email}') - connection terminated`), { code: '08006' }));
    const failure = safeFailure(driver, logger) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'database_error', message: SAFE_FAILURES.database_error, nonRetryable: false });
    expect(JSON.stringify(failure.details)).not.toContain(email);
  });

  it("a provider's error (which echoes what it was sent) leaves without its text, retryable or not", () => {
    const outage = new PaymentProviderError({ code: 'api_error', message: `No such PaymentMethod: '${paymentMethod}'`, status: 500, retryable: true });
    expect(safeFailure(outage, logger)).toMatchObject({ type: 'provider_error', message: SAFE_FAILURES.provider_error, nonRetryable: false });
    const refusal = toActivityFailure(new PaymentProviderError({ code: 'card_declined', message: `card ${paymentMethod} declined`, status: 402, retryable: false }));
    expect(refusal).toMatchObject({ type: 'payment_rejected', nonRetryable: true, message: 'the payment provider refused the request' });
    expect((refusal as ApplicationFailure).message).not.toContain(paymentMethod);
  });

  it('failures the activity raised itself, and cancellations, leave as they are', async () => {
    const business = ApplicationFailure.create({ type: 'insufficient_stock', message: 'not enough stock for 1 product(s)', nonRetryable: true });
    expect(safeFailure(business, logger)).toBe(business);
    const cancelled = new CancelledFailure('cancelled');
    expect(safeFailure(cancelled, logger)).toBe(cancelled);
    const activities = withSafeFailures({ boom: async () => { throw new TypeError(`cannot read ${email}`); }, fine: async (x: number) => x + 1 }, logger);
    await expect(activities.fine(1)).resolves.toBe(2);
    await expect(activities.boom()).rejects.toMatchObject({ type: 'activity_error', message: SAFE_FAILURES.activity_error });
  });
});
