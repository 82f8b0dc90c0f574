import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/common';
import { orderWorkflowId, refundWorkflowId } from '../../workflows/order/definitions';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// Refunds once the order's saga has closed: only ever of the order's own payment, and an operator's retry of one the
// provider reported failed. Real API, worker, simulator, PostgreSQL and Temporal dev server.
describe('refunds after the saga closed', () => {
  /** Payments whose refund the provider reported failed: it shows them succeeded (charged) until a new refund. */
  const refundFailedAt = new Set<string>();
  const refundKeys: { paymentId: string; key: string }[] = [];
  const stack = useStack({ PAYMENT_TIMEOUT: '60s', CANCEL_WINDOW: '60s', SIM_WEBHOOK_DELAY_MS: '20' }, {}, {
    wrapPayments: (provider) => {
      const charged = <T extends { id: string; status: string } | undefined>(p: T): T => (p && refundFailedAt.has(p.id) ? { ...p, status: 'succeeded' } : p);
      return {
        ...provider,
        acceptsPaymentMethod: (token) => provider.acceptsPaymentMethod(token),
        createPayment: (input) => provider.createPayment(input),
        voidPayment: (id) => provider.voidPayment(id),
        getPayment: async (id) => charged(await provider.getPayment(id)),
        listPayments: async (orderId) => (await provider.listPayments(orderId)).map(charged),
        refundPayment: async (id, key) => {
          refundKeys.push({ paymentId: id, key });
          refundFailedAt.delete(id);
          return provider.refundPayment(id, key);
        },
      };
    },
  });

  const simulatorPayment = async (id: string) => (await request(`${stack.simulatorUrl}/v1/payments/${id}`)).body;
  const getOrder = async (id: string) => (await request(`${stack.api}/orders/${id}`, { headers: stack.admin })).body;
  const postWebhook = (event: { type: string; data: Record<string, unknown> }) => stack.postWebhook({ id: `evt_${randomUUID()}`, createdAt: new Date().toISOString(), ...event });
  const retry = (orderId: string) => request(`${stack.api}/admin/orders/${orderId}/retry-compensation`, { method: 'POST', headers: stack.admin });

  /** A paid order the customer cancelled: REFUNDED, its refund confirmed, its saga closed. */
  async function refundedAndClosed(priceCents: number) {
    const product = await stack.createProduct({ stock: 2, priceCents });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'PAID');
    await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
    await stack.waitForOrder(order.id, (o) => o.history.some((h: any) => h.reason === 'refund_confirmed'));
    await stack.temporal.workflow.getHandle(orderWorkflowId(order.id)).result();
    return order;
  }

  it('a late refund_failed after the saga closed: NEEDS_ATTENTION, then a retry refunds anew, once, and the order is REFUNDED again', async () => {
    const order = await refundedAndClosed(1700);
    const paymentId = order.payment.providerPaymentId;
    refundFailedAt.add(paymentId); // the provider took the refund back: the customer is charged again
    const failed = { type: 'payment.refund_failed', data: { paymentId, orderId: order.id, amountCents: 1700, currency: 'EUR', reason: 'expired_or_canceled_card' } };
    expect((await postWebhook(failed)).status).toBe(200);
    expect(await getOrder(order.id)).toMatchObject({ status: 'NEEDS_ATTENTION', failureReason: 'refund_failed', payment: { status: 'succeeded' } });

    // Two retries at once (an operator's double click): both accepted, one new refund at the provider.
    const [first, second] = await Promise.all([retry(order.id), retry(order.id)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const done = await stack.waitForOrder(order.id, (o) => o.status === 'REFUNDED');
    expect(done).toMatchObject({ status: 'REFUNDED', payment: { status: 'refunded' } });
    expect(done.failureReason).toBeUndefined(); // as the customer's own cancel left it
    expect(done.history.map((h: any) => [h.status, h.reason ?? null]).slice(-2)).toEqual([
      ['NEEDS_ATTENTION', 'refund_failed'],
      ['REFUNDED', null],
    ]);
    expect(refundKeys.filter((r) => r.paymentId === paymentId).map((r) => r.key)).toEqual([`refund:${paymentId}`, `refund:${paymentId}:2`]);
    // Refunded again: nothing left to retry.
    expect(await retry(order.id)).toMatchObject({ status: 409, body: { error: 'not_retryable' } });
  });

  /** Waits for `refund-{paymentId}` to fail: the refund was refused. */
  async function refundRefused(paymentId: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        await stack.temporal.workflow.getHandle(refundWorkflowId(paymentId)).result();
        throw new Error('the refund of another order’s payment went through');
      } catch (err) {
        if (err instanceof WorkflowNotFoundError && attempt < 100) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (err instanceof WorkflowNotFoundError || (err as Error).message.includes('went through')) throw err;
        return; // the workflow failed: the refund was refused
      }
    }
  }

  it('a late success naming another order’s payment never refunds that payment; the order that asked needs attention', async () => {
    const victim = await acceptedOrder(stack, { by: 'admin', product: (await stack.createProduct({ stock: 2, priceCents: 900 })).id }, 'PAID');
    const asker = await refundedAndClosed(800);
    const paymentId = victim.payment.providerPaymentId;
    // A signed success "for" the closed order, naming the victim's payment.
    expect((await postWebhook({ type: 'payment.succeeded', data: { paymentId, orderId: asker.id, amountCents: 900, currency: 'EUR' } })).status).toBe(200);
    await refundRefused(paymentId);
    expect((await simulatorPayment(paymentId)).status).toBe('succeeded');
    expect(await getOrder(victim.id)).toMatchObject({ status: 'PAID' });
    const flagged = await getOrder(asker.id);
    expect(flagged).toMatchObject({ status: 'NEEDS_ATTENTION' });
    expect(flagged.history.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', reason: 'compensation_failed:refund_payment' });
    await request(`${stack.api}/orders/${victim.id}/cancel`, { headers: stack.admin, body: {} });
  });

  it('the same success while the asking order’s saga still runs: its saga is told, ends the order as it would, then needs attention', async () => {
    const victim = await acceptedOrder(stack, { by: 'admin', product: (await stack.createProduct({ stock: 2, priceCents: 900 })).id }, 'PAID');
    const asker = await acceptedOrder(stack, { by: 'admin', product: (await stack.createProduct({ stock: 2, priceCents: 800 })).id }, 'PAID');
    const paymentId = victim.payment.providerPaymentId;
    // The asker's saga runs its cancel window: it takes the success in and starts the refund itself.
    expect((await postWebhook({ type: 'payment.succeeded', data: { paymentId, orderId: asker.id, amountCents: 900, currency: 'EUR' } })).status).toBe(200);
    await refundRefused(paymentId);
    expect((await simulatorPayment(paymentId)).status).toBe('succeeded');
    // Its own life goes on: the customer's cancel refunds the order's own payment as ever.
    expect(await request(`${stack.api}/orders/${asker.id}/cancel`, { headers: stack.admin, body: {} })).toMatchObject({ status: 200 });
    await stack.temporal.workflow.getHandle(orderWorkflowId(asker.id)).result();
    const flagged = await getOrder(asker.id);
    expect(flagged).toMatchObject({ status: 'NEEDS_ATTENTION', payment: { status: 'refunded' } });
    const rows = flagged.history.map((h: any) => [h.status, h.reason ?? null]);
    expect(rows).toContainEqual(['REFUNDED', 'customer_cancelled']);
    expect(rows).toContainEqual(['NEEDS_ATTENTION', 'compensation_failed:refund_payment']);
    expect(rows.findIndex(([, r]: string[]) => r === 'customer_cancelled')).toBeLessThan(rows.findIndex(([, r]: string[]) => r === 'compensation_failed:refund_payment'));
    expect(await getOrder(victim.id)).toMatchObject({ status: 'PAID' });
    // Nothing of the order's own is left to retry: an operator settles that payment at the provider.
    expect(await retry(asker.id)).toMatchObject({ status: 409, body: { error: 'not_retryable' } });
    await request(`${stack.api}/orders/${victim.id}/cancel`, { headers: stack.admin, body: {} });
  });
});
