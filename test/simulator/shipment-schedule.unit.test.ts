import { ShipmentService } from '../../src/simulator/shipments';
import type { TimerSet } from '../../src/simulator/timers';
import type { WebhookDispatcher } from '../../src/simulator/webhook-dispatcher';
import type { CarrierEvent } from '../../src/wire/carrier-event';
import type { Logger } from '../../src/logger';

const DELAY_MS = 50;

/**
 * The carrier's clock under a stalled event loop: every timer that is due when the loop wakes fires in the same tick,
 * at the same clock reading. A parcel must still be delivered after it was scanned in transit, never at that instant.
 */
function stalledCarrier() {
  let clock = Date.parse('2026-12-07T10:00:00.000Z');
  let pending: { ms: number; fn: () => void }[] = [];
  const timers = {
    after(ms: number, fn: () => void) {
      pending.push({ ms, fn });
      return () => undefined;
    },
  } as unknown as TimerSet;
  const events: CarrierEvent[] = [];
  const webhooks = { enqueue: (event: CarrierEvent) => events.push(event) } as unknown as WebhookDispatcher<CarrierEvent>;
  const logger = { debug: () => undefined } as unknown as Logger;
  const service = new ShipmentService({ webhooks, timers, deliveryDelayMs: DELAY_MS, now: () => new Date(clock), logger });
  return {
    service,
    events,
    pendingDelays: () => pending.map((t) => t.ms),
    /** The loop wakes `ms` later and runs every timer set so far in one tick. */
    wake(ms: number) {
      clock += ms;
      const due = pending;
      pending = [];
      for (const t of due) t.fn();
    },
  };
}

const booking = (carrier: string) => ({ orderId: 'order-1', carrier, items: [{ productId: 'p-1', quantity: 1 }] });

describe('simulator carrier: when a parcel moves on', () => {
  it('schedules the delivery from the scan in transit, so a stalled loop cannot report both at one instant', () => {
    const carrier = stalledCarrier();
    carrier.service.book(booking('sim-post'), 'key-1');
    expect(carrier.pendingDelays()).toEqual([DELAY_MS]);

    // Woken long after both would have been due: only the scan in transit happens now.
    carrier.wake(10 * DELAY_MS);
    expect(carrier.events.map((e) => e.type)).toEqual(['shipment.in_transit']);
    expect(carrier.pendingDelays()).toEqual([DELAY_MS]);

    carrier.wake(DELAY_MS);
    expect(carrier.events.map((e) => e.type)).toEqual(['shipment.in_transit', 'shipment.delivered']);
    const [inTransit, delivered] = carrier.events.map((e) => Date.parse(e.data.at));
    expect(delivered - inTransit).toBe(DELAY_MS);
    expect(carrier.pendingDelays()).toEqual([]);
  });

  it('a lost-in-transit parcel is scanned in transit and then nothing more is scheduled', () => {
    const carrier = stalledCarrier();
    carrier.service.book(booking('lost-in-transit'), 'key-2');
    carrier.wake(10 * DELAY_MS);
    expect(carrier.events.map((e) => e.type)).toEqual(['shipment.in_transit']);
    expect(carrier.pendingDelays()).toEqual([]);
  });
});
