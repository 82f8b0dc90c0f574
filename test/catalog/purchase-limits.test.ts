import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import { commitStock, PurchaseLimitExceededError, releaseStock, reserveStock, restockOrder } from '../../src/catalog/stock';
import { updateProduct } from '../../src/catalog/products';
import { insertOrder } from '../../src/orders/order-store';
import { testOrm } from '../harness/env';
import { makeProduct, newOrderId, stockOf, whileRowLocked } from './fixtures';

// Per-customer limits (products.max_per_customer) inside the reservation statement, under the product's row lock.
describe('purchase limits in the reservation', () => {
  let orm: Orm;
  beforeAll(async () => {
    orm = await testOrm();
  });
  afterAll(async () => {
    await orm.close();
  });

  /** An order row for `customer` (the reservation reads whose order it is from it). */
  async function orderFor(customer: string): Promise<string> {
    const orderId = newOrderId();
    await insertOrder(orm.em.fork(), { orderId, workflowId: `order-${orderId}`, customerId: customer, customerEmail: `${customer}@example.com`, items: [], requestFingerprint: 'fp' });
    return orderId;
  }
  const limited = async (maxPerCustomer: number, stock = 100) => {
    const product = await makeProduct(orm, { stock });
    await updateProduct(orm.em.fork(), product.id, { maxPerCustomer });
    return product;
  };

  it('refuses what would take the customer over the limit, naming the product, the limit and what they hold; nothing reserved', async () => {
    const product = await limited(3);
    const customer = `cust-${randomUUID()}`;
    await reserveStock(orm.em.fork(), await orderFor(customer), [{ productId: product.id, quantity: 2 }]);
    const refused = reserveStock(orm.em.fork(), await orderFor(customer), [{ productId: product.id, quantity: 2 }]);
    await expect(refused).rejects.toBeInstanceOf(PurchaseLimitExceededError);
    await expect(refused).rejects.toMatchObject({
      code: 'purchase_limit_exceeded',
      details: [{ productId: product.id, limit: 3, held: 2, requested: 2 }],
    });
    expect(await stockOf(orm, product.id)).toMatchObject({ reserved: 2 });
    // Up to the limit is fine; another customer has an allowance of their own.
    await reserveStock(orm.em.fork(), await orderFor(customer), [{ productId: product.id, quantity: 1 }]);
    await reserveStock(orm.em.fork(), await orderFor(`cust-${randomUUID()}`), [{ productId: product.id, quantity: 3 }]);
    expect(await stockOf(orm, product.id)).toMatchObject({ reserved: 6 });
  });

  it('released and restocked units go back to the allowance; sold ones count', async () => {
    const product = await limited(1);
    const customer = `cust-${randomUUID()}`;
    const first = await orderFor(customer);
    await reserveStock(orm.em.fork(), first, [{ productId: product.id, quantity: 1 }]);
    await releaseStock(orm.em.fork(), first); // cancelled
    const second = await orderFor(customer);
    await reserveStock(orm.em.fork(), second, [{ productId: product.id, quantity: 1 }]);
    await commitStock(orm.em.fork(), second); // paid: still held
    await expect(reserveStock(orm.em.fork(), await orderFor(customer), [{ productId: product.id, quantity: 1 }])).rejects.toBeInstanceOf(PurchaseLimitExceededError);
    await restockOrder(orm.em.fork(), second); // refunded
    await reserveStock(orm.em.fork(), await orderFor(customer), [{ productId: product.id, quantity: 1 }]);
  });

  it('holds under concurrency: 10 orders of one customer queued behind the row lock reserve exactly the limit', async () => {
    const product = await limited(2);
    const customer = `cust-${randomUUID()}`;
    const orders = await Promise.all(Array.from({ length: 10 }, () => orderFor(customer)));
    // Every statement is queued behind the lock (its snapshot taken) before any of them can commit.
    const results = await whileRowLocked(orm, product.id, 10, () =>
      Promise.allSettled(orders.map((orderId) => reserveStock(orm.em.fork(), orderId, [{ productId: product.id, quantity: 1 }]))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(8);
    for (const r of refused) expect(r.reason).toBeInstanceOf(PurchaseLimitExceededError);
    expect(await stockOf(orm, product.id)).toMatchObject({ reserved: 2 });
  });

  it('a product without a limit reserves as before, and a limit can be lifted', async () => {
    const product = await limited(1);
    const customer = `cust-${randomUUID()}`;
    await reserveStock(orm.em.fork(), await orderFor(customer), [{ productId: product.id, quantity: 1 }]);
    await updateProduct(orm.em.fork(), product.id, { maxPerCustomer: null });
    await reserveStock(orm.em.fork(), await orderFor(customer), [{ productId: product.id, quantity: 5 }]);
    expect(await stockOf(orm, product.id)).toMatchObject({ reserved: 6 });
  });
});
