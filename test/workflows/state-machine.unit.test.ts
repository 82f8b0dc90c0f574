import type { OrderStatus } from '../../workflows/order/state-machine';
import { CANCELLABLE_STATUSES, canMove, DISPUTABLE_STATUSES, isOrderReason, ORDER_STATUSES, ORDER_TRANSITIONS, TERMINAL_STATUSES, UNPAID_STATUSES } from '../../workflows/order/state-machine';

// The state machine module's moves and sets agree with each other (the database's constraints: state-machine-db.test.ts).
describe('order state machine', () => {
  it('every status is reachable from PENDING; terminal ones lead nowhere but back to an operator', () => {
    const reached = new Set<string>(['PENDING']);
    const queue: OrderStatus[] = ['PENDING'];
    for (let from = queue.shift(); from; from = queue.shift()) {
      for (const to of ORDER_TRANSITIONS[from].filter((s) => !reached.has(s))) {
        reached.add(to);
        queue.push(to);
      }
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
    // A refund the provider reports failed after the fact reopens a CANCELLED or REFUNDED order for an operator; a
    // COMPLETED order is refunded by operators (REFUNDED once all is back, NEEDS_ATTENTION when a refund failed), and
    // its charge may be disputed long after (DISPUTED). CHARGED_BACK is final.
    const after: Record<string, string[]> = {
      CANCELLED: ['NEEDS_ATTENTION'],
      REFUNDED: ['NEEDS_ATTENTION'],
      COMPLETED: ['REFUNDED', 'NEEDS_ATTENTION', 'DISPUTED'],
    };
    for (const status of TERMINAL_STATUSES) expect(ORDER_TRANSITIONS[status]).toEqual(after[status] ?? []);
    expect(canMove('PAID', 'REFUNDED')).toBe(true);
    expect(canMove('COMPLETED', 'REFUNDED')).toBe(true);
    expect(canMove('COMPLETED', 'CANCELLED')).toBe(false);
  });

  it('the sets agree with the moves: a cancellable order can still reach CANCELLED or REFUNDED; an unpaid one never was PAID', () => {
    for (const status of CANCELLABLE_STATUSES) expect(ORDER_TRANSITIONS[status].some((to) => to === 'CANCELLED' || to === 'REFUNDED')).toBe(true);
    expect(UNPAID_STATUSES).not.toContain('PAID');
    expect(isOrderReason('compensation_failed:release_stock,restock')).toBe(true);
    expect(isOrderReason('payment_declined_maybe')).toBe(false);
  });

  it('a dispute opens on a charged order and ends back where the order stood (won) or CHARGED_BACK (lost)', () => {
    for (const status of DISPUTABLE_STATUSES) {
      expect(canMove(status, 'DISPUTED')).toBe(true);
      expect(canMove('DISPUTED', status)).toBe(true);
    }
    expect(canMove('DISPUTED', 'CHARGED_BACK')).toBe(true);
    expect(canMove('AWAITING_PAYMENT', 'DISPUTED')).toBe(false);
    expect(TERMINAL_STATUSES).toContain('CHARGED_BACK');
    expect(ORDER_TRANSITIONS.CHARGED_BACK).toEqual([]);
    expect(CANCELLABLE_STATUSES).not.toContain('DISPUTED');
    for (const reason of ['dispute_opened', 'dispute_won', 'dispute_lost']) expect(isOrderReason(reason)).toBe(true);
  });
});
