import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

describe('50 concurrent orders on a product with 10 in stock', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '20s', CANCEL_WINDOW: '60s', SIM_WEBHOOK_DELAY_MS: '20' });

  it('exactly 10 reach PAID, 40 get 409 insufficient_stock, stock exact', async () => {
    const product = await stack.createProduct({ stock: 10, priceCents: 700 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => placeOrder(stack, { by: 'admin', product: product.id })));
    const accepted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 409);
    expect(accepted).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) expect(r.body).toMatchObject({ error: 'insufficient_stock', details: [{ productId: product.id, requested: 1, available: 0 }] });

    const paid = await Promise.all(accepted.map((a) => stack.waitForOrder(a.body.id, (o) => o.status === 'PAID')));
    expect(paid.every((o) => o.payment.status === 'succeeded')).toBe(true);
    expect(await stack.product(product.id)).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
  });
});
