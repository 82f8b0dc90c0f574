import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/common';
import { orderStateQuery, orderWorkflowId, refundWorkflowId } from '../../workflows/order/definitions';
import { request } from '../harness/http';
import { acceptedOrder, placedOrderId, placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// The saga's money safety end to end: real API, worker, simulator, PostgreSQL and Temporal dev server.
describe('money safety end to end', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '60s', CANCEL_WINDOW: '60s', SIM_WEBHOOK_DELAY_MS: '20' });

  const simulatorPayment = async (id: string) => (await request(`${stack.simulatorUrl}/v1/payments/${id}`)).body;
  const sagaState = (orderId: string) => stack.temporal.workflow.getHandle(orderWorkflowId(orderId)).query(orderStateQuery);
  /** The provider's webhook reaches the saga a moment after the charge: wait for its refund-{paymentId} to finish. */
  async function refundedAtSimulator(paymentId: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        await stack.temporal.workflow.getHandle(refundWorkflowId(paymentId)).result();
        return simulatorPayment(paymentId);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) || attempt > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** A webhook as the provider sends it: a fresh event id and creation time unless the event names its own id. */
  const postWebhook = (event: { id?: string; type: string; data: Record<string, unknown> }) =>
    stack.postWebhook({ id: `evt_${randomUUID()}`, createdAt: new Date().toISOString(), ...event });

  it('a correctly signed success naming another payment id leaves the order unpaid', async () => {
    const product = await stack.createProduct({ stock: 3, priceCents: 700 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, token: 'tok_no_webhook' });
    const res = await postWebhook({ type: 'payment.succeeded', data: { paymentId: `pay_${randomUUID()}`, orderId: order.id, amountCents: 700, currency: 'EUR' } });
    expect(res.status).toBe(200);
    // the query is answered after the signal was handled
    expect(await sagaState(order.id)).toMatchObject({ status: 'AWAITING_PAYMENT', paymentId: order.payment.providerPaymentId });
    expect((await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body.status).toBe('AWAITING_PAYMENT');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 3, reserved: 1 });
    await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
  });

  it('a second charge for an order awaiting payment is refunded at the provider and does not pay the order', async () => {
    const product = await stack.createProduct({ stock: 3, priceCents: 900 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, token: 'tok_no_webhook' });
    const second = await request(`${stack.simulatorUrl}/v1/payments`, {
      headers: { 'idempotency-key': `second-${randomUUID()}` },
      body: { orderId: order.id, customerId: order.customerId, amountCents: 900, currency: 'EUR', token: 'tok_visa' },
    });
    expect(second.status).toBe(202);
    expect((await refundedAtSimulator(second.body.id)).status).toBe('refunded');
    expect(await sagaState(order.id)).toMatchObject({ status: 'AWAITING_PAYMENT' });
    const cancelled = await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', payment: { status: 'voided' } });
  });

  it('price 60 000 000 × 2 → 422 order_total_too_large; stock unchanged, the order REJECTED (not left PENDING)', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 60_000_000 });
    const res = await placeOrder(stack, { by: 'admin', product: product.id, quantity: 2 });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'order_total_too_large', message: expect.any(String) });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0 });
    const id = placedOrderId(res);
    expect((await request(`${stack.api}/orders/${id}`, { headers: stack.admin })).body).toMatchObject({ status: 'REJECTED', failureReason: 'order_total_too_large' });
  });

  it('cancelling a PAID order’s workflow through Temporal refunds it and puts the stock back on hand', async () => {
    const product = await stack.createProduct({ stock: 4, priceCents: 1100 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, quantity: 2 }, 'PAID');
    await stack.temporal.workflow.getHandle(orderWorkflowId(order.id)).cancel();
    const done = await stack.waitForOrder(order.id, (o) => o.history.some((h: any) => h.reason === 'refund_confirmed'));
    expect(done).toMatchObject({ status: 'REFUNDED', failureReason: 'cancelled_by_operator', payment: { status: 'refunded' } });
    expect(done.history.map((h: any) => [h.status, h.reason ?? null]).slice(-2)).toEqual([
      ['REFUNDED', 'cancelled_by_operator'],
      ['REFUNDED', 'refund_confirmed'],
    ]);
    expect((await simulatorPayment(order.payment.providerPaymentId)).status).toBe('refunded');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 4, reserved: 0 });
  });

  it('a refund the provider reports failed after the order closed puts the order in NEEDS_ATTENTION, once', async () => {
    const product = await stack.createProduct({ stock: 2, priceCents: 1300 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'PAID');
    await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
    await stack.waitForOrder(order.id, (o) => o.history.some((h: any) => h.reason === 'refund_confirmed'));
    await stack.temporal.workflow.getHandle(orderWorkflowId(order.id)).result();

    const paymentId = order.payment.providerPaymentId;
    const failed = { id: `evt_${randomUUID()}`, type: 'payment.refund_failed', data: { paymentId, orderId: order.id, amountCents: 1300, currency: 'EUR', reason: 'expired_or_canceled_card' } };
    const otherPayments = { ...failed, id: `evt_${randomUUID()}`, data: { ...failed.data, paymentId: `pay_${randomUUID()}` } };
    expect((await postWebhook(otherPayments)).status).toBe(200);
    expect((await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body.status).toBe('REFUNDED');
    expect((await postWebhook(failed)).status).toBe(200);
    expect((await postWebhook(failed)).status).toBe(200); // redelivered
    const flagged = (await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body;
    expect(flagged).toMatchObject({ status: 'NEEDS_ATTENTION', failureReason: 'refund_failed', payment: { status: 'succeeded' } });
    expect(flagged.history.filter((h: any) => h.reason === 'refund_failed')).toEqual([expect.objectContaining({ status: 'NEEDS_ATTENTION' })]);
  });

  it('cancelling an order awaiting payment through Temporal voids and releases', async () => {
    const product = await stack.createProduct({ stock: 4 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, token: 'tok_no_webhook' });
    await stack.temporal.workflow.getHandle(orderWorkflowId(order.id)).cancel();
    const done = await stack.waitForOrder(order.id, (o) => o.status === 'CANCELLED');
    expect(done).toMatchObject({ failureReason: 'cancelled_by_operator', payment: { status: 'voided' } });
    expect(done.history.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'cancelled_by_operator' });
    expect((await simulatorPayment(order.payment.providerPaymentId)).status).toBe('voided');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 4, reserved: 0 });
  });
});
