import { UnitLedger } from '../../workflows/order/unit-ledger';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const D = 'dddddddd-0000-4000-8000-000000000003';

describe('UnitLedger', () => {
  const ledger = () =>
    new UnitLedger([
      { productId: A, quantity: 3, unitPriceCents: 1000, requiresShipping: true },
      { productId: B, quantity: 1, unitPriceCents: 250, requiresShipping: true },
      { productId: D, quantity: 1, unitPriceCents: 700, requiresShipping: false },
    ]);

  it('counts what is left to ship after cancels and dispatches; a line that does not ship has nothing to ship', () => {
    const l = ledger();
    expect(l.ships).toBe(true);
    l.take('cancelled', [{ productId: A, quantity: 1 }]);
    l.take('dispatched', [{ productId: A.toUpperCase(), quantity: 1 }]);
    expect(l.leftToShip(A)).toBe(1);
    expect(l.leftToShip(D)).toBe(0);
    expect(l.allDispatched).toBe(false);
    l.take('dispatched', [{ productId: A, quantity: 1 }, { productId: B, quantity: 1 }]);
    expect(l.allDispatched).toBe(true);
    expect(l.cancelledCents).toBe(1000);
  });

  it('an undone take gives the units back', () => {
    const l = ledger();
    l.take('dispatched', [{ productId: A, quantity: 2 }]);
    l.take('dispatched', [{ productId: A, quantity: 2 }], -1);
    expect(l.leftToShip(A)).toBe(3);
    expect(l.anyDispatched).toBe(false);
  });

  it('returnable: delivered less asked back; all returned only when every unit sold is back', () => {
    const l = new UnitLedger([{ productId: A, quantity: 2, unitPriceCents: 1000, requiresShipping: true }]);
    l.take('dispatched', [{ productId: A, quantity: 2 }]);
    l.take('delivered', [{ productId: A, quantity: 2 }]);
    l.take('returned', [{ productId: A, quantity: 1 }]);
    expect(l.returnable(A)).toBe(1);
    expect(l.allReturned).toBe(false);
    l.take('returned', [{ productId: A, quantity: 1 }]);
    expect(l.allReturned).toBe(true);
    expect(ledger().allReturned).toBe(false);
  });

  it('cancelsEverything and priceOf', () => {
    const l = ledger();
    expect(l.cancelsEverything([{ productId: A, quantity: 3 }, { productId: B, quantity: 1 }])).toBe(false);
    expect(l.cancelsEverything([{ productId: A, quantity: 3 }, { productId: B, quantity: 1 }, { productId: D, quantity: 1 }])).toBe(true);
    expect(l.priceOf([{ productId: A, quantity: 2 }, { productId: B, quantity: 1 }])).toBe(2250);
  });
});
