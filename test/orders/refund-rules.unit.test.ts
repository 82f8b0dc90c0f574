import { DomainError } from '../../src/errors';
import type { RefundableOrder } from '../../src/orders/refund-rules';
import { refundableCents, refundAmountCents } from '../../src/orders/refund-rules';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const line = (productId: string, quantity: number, unitPriceCents: number) => ({ productId, sku: productId, name: productId, quantity, unitPriceCents });

/** A COMPLETED order of 2 × A at 300 and 1 × B at 500, captured in full. */
function order(overrides: Partial<RefundableOrder> = {}): RefundableOrder {
  return { id: 'o1', status: 'COMPLETED', lines: [line(A, 2, 300), line(B, 1, 500)], capturedCents: 1100, refundedCents: 0, refunds: [], ...overrides };
}

function refusal(run: () => unknown): { code: string; details: unknown } {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

const refund = (amountCents: number, status: 'pending' | 'succeeded' | 'failed', items?: { productId: string; quantity: number }[]) => ({
  id: `r-${amountCents}-${status}`,
  key: 'k',
  fingerprint: 'f',
  amountCents,
  reason: 'r',
  status,
  restock: false,
  createdAt: new Date(0).toISOString(),
  ...(items ? { items } : {}),
});

describe('refund rules', () => {
  it('an amount up to what is left: captured − refunded − refunds under way; failed refunds count for nothing', () => {
    const o = order({ refundedCents: 300, refunds: [refund(300, 'succeeded'), refund(200, 'pending'), refund(100, 'failed')] });
    expect(refundableCents(o)).toBe(600);
    expect(refundAmountCents(o, { amountCents: 600, reason: 'r' })).toBe(600);
    expect(refusal(() => refundAmountCents(o, { amountCents: 601, reason: 'r' }))).toEqual({
      code: 'refund_exceeds_captured',
      details: { refundableCents: 600, requestedCents: 601 },
    });
  });

  it('lines: their prices; never more units than were sold and not refunded by line', () => {
    expect(refundAmountCents(order(), { items: [{ productId: B, quantity: 1 }], reason: 'r' })).toBe(500);
    expect(refundAmountCents(order(), { items: [{ productId: A.toUpperCase(), quantity: 2 }], reason: 'r' })).toBe(600);
    const o = order({ refundedCents: 300, refunds: [refund(300, 'succeeded', [{ productId: A, quantity: 1 }])] });
    expect(refusal(() => refundAmountCents(o, { items: [{ productId: A, quantity: 2 }], reason: 'r' })).code).toBe('refund_exceeds_captured');
    expect(refusal(() => refundAmountCents(o, { items: [{ productId: '00000000-0000-4000-8000-0000000000cc', quantity: 1 }], reason: 'r' })).code).toBe(
      'refund_exceeds_captured',
    );
  });

  it('nothing captured, or not settled with its money → not_refundable; a REFUNDED order has nothing left → refund_exceeds_captured', () => {
    expect(refusal(() => refundAmountCents(order({ capturedCents: 0, status: 'CANCELLED' }), { amountCents: 1, reason: 'r' })).code).toBe('not_refundable');
    expect(refusal(() => refundAmountCents(order({ status: 'PAID' }), { amountCents: 1, reason: 'r' })).code).toBe('not_refundable');
    expect(refusal(() => refundAmountCents(order({ status: 'NEEDS_ATTENTION' }), { amountCents: 1, reason: 'r' })).code).toBe('not_refundable');
    expect(refusal(() => refundAmountCents(order({ status: 'REFUNDED', refundedCents: 1100 }), { amountCents: 1, reason: 'r' })).code).toBe(
      'refund_exceeds_captured',
    );
  });
});
