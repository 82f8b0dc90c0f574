import type { Orm } from '../../src/db/orm';
import type { DomainError } from '../../src/errors';
import {
  commitStock,
  CurrencyMismatchError,
  InsufficientStockError,
  InvalidStockRequestError,
  releaseStock,
  reserveStock,
  restockOrder,
  UnknownProductError,
} from '../../src/catalog/stock';
import { updateProduct } from '../../src/catalog/products';
import { insertOrder, recordStatus } from '../../src/orders/order-store';
import { testOrm } from '../harness/env';
import { ledgerTotal, makeProduct, newOrderId, reservationCounts, stockOf, stockSnapshot, whileRowLocked } from './fixtures';

describe('stock reservations', () => {
  let orm: Orm;

  beforeAll(async () => {
    orm = await testOrm();
  });
  afterAll(async () => {
    await orm.close();
  });

  const fork = () => orm.em.fork();

  describe('reserveStock', () => {
    it('reserves every line, prices it from the catalog and raises reserved', async () => {
      const a = await makeProduct(orm, { name: 'Apple', priceCents: 199, stock: 5 });
      const b = await makeProduct(orm, { name: 'Bread', priceCents: 350, stock: 2 });
      const orderId = newOrderId();

      const result = await reserveStock(fork(), orderId, [
        { productId: a.id, quantity: 3 },
        { productId: b.id, quantity: 2 },
      ]);

      expect(result.orderId).toBe(orderId);
      expect(result.currency).toBe('EUR');
      expect(result.lines).toEqual(
        [
          { productId: a.id, sku: a.sku, name: 'Apple', quantity: 3, unitPriceCents: 199, requiresShipping: false },
          { productId: b.id, sku: b.sku, name: 'Bread', quantity: 2, unitPriceCents: 350, requiresShipping: false },
        ].sort((x, y) => (x.productId < y.productId ? -1 : 1)),
      );
      expect(await stockOf(orm, a.id)).toMatchObject({ on_hand: 5, reserved: 3 });
      expect(await stockOf(orm, b.id)).toMatchObject({ on_hand: 2, reserved: 2 });
      expect(await reservationCounts(orm, a.id)).toEqual({ ACTIVE: { rows: 1, quantity: 3 } });
    });

    it('answers an order already REJECTED with its recorded rejection and reserves nothing, though stock is there now', async () => {
      // The saga's reservation step run again after the engine lost its result (a Temporal restart mid-task): the
      // first run was refused and the order told REJECTED; this run must not bring it back to life.
      const a = await makeProduct(orm, { stock: 2 });
      const orderId = newOrderId();
      await insertOrder(fork(), { orderId, workflowId: `order-${orderId}`, customerId: 'c-rejected', customerEmail: 'c@example.com', items: [], requestFingerprint: 'fp' });
      const rejection = { code: 'insufficient_stock', message: 'not enough stock for 1 line(s)', details: { lines: [{ productId: a.id, requested: 1, available: 0 }] } };
      await recordStatus(fork(), orderId, { seq: 2, status: 'REJECTED', reason: rejection.code, failureReason: rejection.code, rejection });

      const again = reserveStock(fork(), orderId, [{ productId: a.id, quantity: 1 }]);
      await expect(again).rejects.toMatchObject({ code: 'insufficient_stock', message: rejection.message, details: rejection.details });
      expect(await stockOf(orm, a.id)).toMatchObject({ on_hand: 2, reserved: 0 });
      expect(await reservationCounts(orm, a.id)).toEqual({});
    });

    it('folds repeated products into one line', async () => {
      const a = await makeProduct(orm, { stock: 5 });
      const result = await reserveStock(fork(), newOrderId(), [
        { productId: a.id, quantity: 1 },
        { productId: a.id, quantity: 2 },
      ]);
      expect(result.lines).toEqual([expect.objectContaining({ productId: a.id, quantity: 3 })]);
      expect(await stockOf(orm, a.id)).toMatchObject({ reserved: 3 });
    });

    it('reserves nothing when one line of the order is short, and lists every short line', async () => {
      const plenty = await makeProduct(orm, { stock: 10 });
      const scarce = await makeProduct(orm, { stock: 1 });
      const before = await stockSnapshot(orm, [plenty.id, scarce.id]);

      const attempt = reserveStock(fork(), newOrderId(), [
        { productId: plenty.id, quantity: 2 },
        { productId: scarce.id, quantity: 3 },
      ]);

      await expect(attempt).rejects.toBeInstanceOf(InsufficientStockError);
      await expect(attempt).rejects.toMatchObject({
        code: 'insufficient_stock',
        details: [{ productId: scarce.id, requested: 3, available: 1 }],
      });
      expect(await stockSnapshot(orm, [plenty.id, scarce.id])).toEqual(before);
    });

    it('counts reserved units as unavailable', async () => {
      const p = await makeProduct(orm, { stock: 3 });
      await reserveStock(fork(), newOrderId(), [{ productId: p.id, quantity: 2 }]);
      await expect(reserveStock(fork(), newOrderId(), [{ productId: p.id, quantity: 2 }])).rejects.toMatchObject({
        details: [{ productId: p.id, requested: 2, available: 1 }],
      });
    });

    it('refuses unknown and inactive products with unknown_product, reserving nothing', async () => {
      const ok = await makeProduct(orm);
      const retired = await makeProduct(orm);
      await updateProduct(fork(), retired.id, { active: false });
      const missing = newOrderId();

      const attempt = reserveStock(fork(), newOrderId(), [
        { productId: ok.id, quantity: 1 },
        { productId: retired.id, quantity: 1 },
        { productId: missing, quantity: 1 },
      ]);

      await expect(attempt).rejects.toBeInstanceOf(UnknownProductError);
      const err = (await attempt.catch((e: unknown) => e)) as DomainError;
      expect(err.code).toBe('unknown_product');
      expect(err.details).toEqual(expect.arrayContaining([{ productId: retired.id }, { productId: missing }]));
      expect(err.details).toHaveLength(2);
      expect(await stockOf(orm, ok.id)).toMatchObject({ reserved: 0 });
    });

    it('treats a malformed product id as unknown', async () => {
      await expect(reserveStock(fork(), newOrderId(), [{ productId: 'not-a-uuid', quantity: 1 }])).rejects.toMatchObject({
        code: 'unknown_product',
        details: [{ productId: 'not-a-uuid' }],
      });
    });

    it('refuses an order mixing currencies with currency_mismatch', async () => {
      const eur = await makeProduct(orm, { currency: 'EUR' });
      const usd = await makeProduct(orm, { currency: 'USD' });
      const attempt = reserveStock(fork(), newOrderId(), [
        { productId: eur.id, quantity: 1 },
        { productId: usd.id, quantity: 1 },
      ]);
      await expect(attempt).rejects.toBeInstanceOf(CurrencyMismatchError);
      await expect(attempt).rejects.toMatchObject({ code: 'currency_mismatch' });
      expect(await stockOf(orm, eur.id)).toMatchObject({ reserved: 0 });
      expect(await stockOf(orm, usd.id)).toMatchObject({ reserved: 0 });
    });

    it.each([
      ['a malformed order id', 'order-1', [{ productId: newOrderId(), quantity: 1 }]],
      ['no lines', newOrderId(), []],
      ['a zero quantity', newOrderId(), [{ productId: newOrderId(), quantity: 0 }]],
      ['a fractional quantity', newOrderId(), [{ productId: newOrderId(), quantity: 1.5 }]],
    ])('refuses %s as validation_failed', async (_what, orderId, items) => {
      const attempt = reserveStock(fork(), orderId as string, items);
      await expect(attempt).rejects.toBeInstanceOf(InvalidStockRequestError);
      await expect(attempt).rejects.toMatchObject({ code: 'validation_failed' });
    });

    it('100 concurrent single-unit orders on 10 available: exactly 10 succeed and reserved is 10', async () => {
      const p = await makeProduct(orm, { stock: 10 });

      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, () => reserveStock(fork(), newOrderId(), [{ productId: p.id, quantity: 1 }])),
      );

      const succeeded = outcomes.filter((o) => o.status === 'fulfilled');
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(succeeded).toHaveLength(10);
      expect(failed).toHaveLength(90);
      for (const f of failed) expect(f.reason).toBeInstanceOf(InsufficientStockError);
      expect(await stockOf(orm, p.id)).toMatchObject({ on_hand: 10, reserved: 10 });
      expect(await reservationCounts(orm, p.id)).toEqual({ ACTIVE: { rows: 10, quantity: 10 } });
    });

    it('concurrent calls for the same order reserve it once and all answer the same reservation', async () => {
      // Plenty of stock, so every late call still passes the stock check and must notice the first call's rows.
      const p = await makeProduct(orm, { stock: 100 });
      const orderId = newOrderId();

      const results = await whileRowLocked(orm, p.id, 10, () =>
        Promise.all(Array.from({ length: 10 }, () => reserveStock(fork(), orderId, [{ productId: p.id, quantity: 3 }]))),
      );

      for (const r of results) expect(r).toEqual(results[0]);
      expect(results[0].lines).toEqual([expect.objectContaining({ productId: p.id, quantity: 3 })]);
      expect(await stockOf(orm, p.id)).toMatchObject({ reserved: 3 });
      expect(await reservationCounts(orm, p.id)).toEqual({ ACTIVE: { rows: 1, quantity: 3 } });
    });

    it('multi-item orders over the same products, listed in opposite orders, all finish without deadlock', async () => {
      const products = await Promise.all([1, 2, 3, 4].map(() => makeProduct(orm, { stock: 1000 })));
      const forward = products.map((p) => ({ productId: p.id, quantity: 1 }));
      const backward = [...forward].reverse();

      // Every order goes through reserve and then commit or release, so all four statements interleave.
      const runs = Array.from({ length: 60 }, async (_, i) => {
        const orderId = newOrderId();
        await reserveStock(fork(), orderId, i % 2 === 0 ? forward : backward);
        if (i % 3 === 0) await commitStock(fork(), orderId);
        else await releaseStock(fork(), orderId);
      });
      const outcomes = await Promise.allSettled(runs);

      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      for (const p of products) {
        expect(await stockOf(orm, p.id)).toMatchObject({ on_hand: 1000 - 20, reserved: 0 });
        expect(await ledgerTotal(orm, p.id)).toBe(1000 - 20);
      }
    });
  });

  describe('replays change nothing', () => {
    it('reserveStock: the second call returns the first result and writes nothing', async () => {
      const a = await makeProduct(orm, { stock: 4 });
      const b = await makeProduct(orm, { stock: 4 });
      const orderId = newOrderId();
      const items = [
        { productId: a.id, quantity: 2 },
        { productId: b.id, quantity: 1 },
      ];

      const first = await reserveStock(fork(), orderId, items);
      const before = await stockSnapshot(orm, [a.id, b.id]);
      const second = await reserveStock(fork(), orderId, items);

      expect(second).toEqual(first);
      expect(await stockSnapshot(orm, [a.id, b.id])).toEqual(before);
    });

    it('reserveStock after a price change and a release still answers the original reservation', async () => {
      const p = await makeProduct(orm, { stock: 4, priceCents: 500 });
      const orderId = newOrderId();
      const first = await reserveStock(fork(), orderId, [{ productId: p.id, quantity: 2 }]);
      await releaseStock(fork(), orderId);
      await updateProduct(fork(), p.id, { priceCents: 900 });
      const before = await stockSnapshot(orm, [p.id]);

      const again = await reserveStock(fork(), orderId, [{ productId: p.id, quantity: 4 }]);

      expect(again).toEqual(first);
      expect(again.lines[0].unitPriceCents).toBe(500);
      expect(await stockSnapshot(orm, [p.id])).toEqual(before);
      expect(await stockOf(orm, p.id)).toMatchObject({ reserved: 0 });
    });

    it('releaseStock: ACTIVE → RELEASED lowers reserved once; the replay is a no-op', async () => {
      const p = await makeProduct(orm, { stock: 5 });
      const orderId = newOrderId();
      await reserveStock(fork(), orderId, [{ productId: p.id, quantity: 3 }]);

      const first = await releaseStock(fork(), orderId);
      expect(first.lines).toEqual([{ productId: p.id, quantity: 3 }]);
      expect(await stockOf(orm, p.id)).toMatchObject({ on_hand: 5, reserved: 0 });
      expect(await reservationCounts(orm, p.id)).toEqual({ RELEASED: { rows: 1, quantity: 3 } });

      const before = await stockSnapshot(orm, [p.id]);
      const second = await releaseStock(fork(), orderId);
      expect(second.lines).toEqual([]);
      expect(await stockSnapshot(orm, [p.id])).toEqual(before);
    });

    it('releaseStock of an unknown order is a no-op', async () => {
      await expect(releaseStock(fork(), newOrderId())).resolves.toMatchObject({ lines: [] });
    });

    it('commitStock: ACTIVE → COMMITTED lowers on_hand and reserved with SALE ledger rows, once', async () => {
      const p = await makeProduct(orm, { stock: 5 });
      const orderId = newOrderId();
      await reserveStock(fork(), orderId, [{ productId: p.id, quantity: 2 }]);

      const first = await commitStock(fork(), orderId);
      expect(first.lines).toEqual([{ productId: p.id, quantity: 2 }]);
      expect(await stockOf(orm, p.id)).toMatchObject({ on_hand: 3, reserved: 0 });
      const { movements } = await stockSnapshot(orm, [p.id]);
      expect(movements.map((m) => [m.kind, m.delta, m.order_id])).toEqual([
        ['INITIAL', 5, null],
        ['SALE', -2, orderId],
      ]);

      const before = await stockSnapshot(orm, [p.id]);
      expect((await commitStock(fork(), orderId)).lines).toEqual([]);
      expect(await stockSnapshot(orm, [p.id])).toEqual(before);
      expect(await ledgerTotal(orm, p.id)).toBe(3);
    });

    it('commitStock of a released order changes nothing', async () => {
      const p = await makeProduct(orm, { stock: 5 });
      const orderId = newOrderId();
      await reserveStock(fork(), orderId, [{ productId: p.id, quantity: 2 }]);
      await releaseStock(fork(), orderId);
      const before = await stockSnapshot(orm, [p.id]);

      expect((await commitStock(fork(), orderId)).lines).toEqual([]);
      expect(await stockSnapshot(orm, [p.id])).toEqual(before);
    });

    it('restockOrder: puts a committed order back on hand once, with RESTOCK ledger rows', async () => {
      const p = await makeProduct(orm, { stock: 5 });
      const orderId = newOrderId();
      await reserveStock(fork(), orderId, [{ productId: p.id, quantity: 2 }]);
      await commitStock(fork(), orderId);

      const first = await restockOrder(fork(), orderId);
      expect(first.lines).toEqual([{ productId: p.id, quantity: 2 }]);
      expect(await stockOf(orm, p.id)).toMatchObject({ on_hand: 5, reserved: 0 });

      const before = await stockSnapshot(orm, [p.id]);
      expect((await restockOrder(fork(), orderId)).lines).toEqual([]);
      expect(await stockSnapshot(orm, [p.id])).toEqual(before);
      expect(before.movements.map((m) => m.kind)).toEqual(['INITIAL', 'SALE', 'RESTOCK']);
      expect(before.reservations).toEqual([expect.objectContaining({ status: 'COMMITTED', restocked_at: expect.anything() })]);
      expect(await ledgerTotal(orm, p.id)).toBe(5);
    });

    it('concurrent restocks of one order put the stock back once', async () => {
      const p = await makeProduct(orm, { stock: 5 });
      const orderId = newOrderId();
      await reserveStock(fork(), orderId, [{ productId: p.id, quantity: 2 }]);
      await commitStock(fork(), orderId);

      const results = await whileRowLocked(orm, p.id, 8, () =>
        Promise.all(Array.from({ length: 8 }, () => restockOrder(fork(), orderId))),
      );

      expect(results.filter((r) => r.lines.length > 0)).toHaveLength(1);
      expect(await stockOf(orm, p.id)).toMatchObject({ on_hand: 5 });
      expect(await ledgerTotal(orm, p.id)).toBe(5);
    });

    it('restockOrder of an order that was never committed changes nothing', async () => {
      const p = await makeProduct(orm, { stock: 5 });
      const orderId = newOrderId();
      await reserveStock(fork(), orderId, [{ productId: p.id, quantity: 2 }]);
      const before = await stockSnapshot(orm, [p.id]);

      expect((await restockOrder(fork(), orderId)).lines).toEqual([]);
      expect(await stockSnapshot(orm, [p.id])).toEqual(before);
    });
  });

  describe('database invariants', () => {
    it('refuses reserved above on_hand and negative stock whatever the code path', async () => {
      const p = await makeProduct(orm, { stock: 2 });
      const em = fork();
      await expect(em.execute('UPDATE products SET reserved = 3 WHERE id = ?', [p.id])).rejects.toThrow(/products_reserved_within_on_hand/);
      await expect(em.execute('UPDATE products SET on_hand = -1 WHERE id = ?', [p.id])).rejects.toThrow(/check constraint/);
      await expect(em.execute('UPDATE products SET reserved = -1 WHERE id = ?', [p.id])).rejects.toThrow(/products_reserved_non_negative/);
    });

    it('keeps the stock ledger append-only', async () => {
      const p = await makeProduct(orm);
      const em = fork();
      await expect(em.execute('DELETE FROM stock_movements WHERE product_id = ?', [p.id])).rejects.toThrow(/append-only/);
      await expect(em.execute('UPDATE stock_movements SET delta = 99 WHERE product_id = ?', [p.id])).rejects.toThrow(/append-only/);
    });
  });
});
