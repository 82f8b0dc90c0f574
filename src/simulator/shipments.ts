import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import type { CarrierEvent, CarrierEventType } from '../wire/carrier-event';
import type { CarrierShipmentAnswer } from '../wire/carrier-shipment';
import { LOST_IN_TRANSIT_CARRIER, LOST_SUFFIX } from '../wire/carrier-shipment';
import { IdempotencyStore, fingerprint } from './idempotency';
import { newId } from './ids';
import type { CreateShipmentBody } from './schemas';
import type { TimerSet } from './timers';
import type { WebhookDispatcher } from './webhook-dispatcher';

export type SimulatedShipmentStatus = 'dispatched' | 'in_transit' | 'delivered';

/** A parcel as the simulated carrier keeps it (GET /v1/shipments/{id}). */
export interface SimulatedShipment {
  id: string;
  trackingNumber: string;
  carrier: string;
  status: SimulatedShipmentStatus;
  orderId: string;
  items: CreateShipmentBody['items'];
  createdAt: string;
  updatedAt: string;
}

export interface ShipmentServiceDeps {
  webhooks: WebhookDispatcher<CarrierEvent>;
  timers: TimerSet;
  /** SIM_DELIVERY_DELAY_MS: from the booking to in transit, and as long again to delivered. */
  deliveryDelayMs: number;
  now: () => Date;
  logger: Logger;
}

/**
 * The simulated carrier: it books parcels (one per Idempotency-Key), answers their tracking numbers, and reports
 * them in transit after SIM_DELIVERY_DELAY_MS and delivered as long again, each by a signed webhook. A parcel of the
 * `lost-in-transit` service (tracking number `…-lost`) gets as far as in transit and is never delivered.
 * Synchronous, like the payments: an idempotency lookup and the write after it cannot interleave with another request.
 */
export class ShipmentService {
  private readonly shipments = new Map<string, SimulatedShipment>();
  /** Key → the first answer, repeated as it was (a replay says `dispatched` whatever the parcel did since). */
  private readonly keys = new IdempotencyStore<CarrierShipmentAnswer>();

  constructor(private readonly deps: ShipmentServiceDeps) {}

  book(body: CreateShipmentBody, idempotencyKey: string): { shipment: CarrierShipmentAnswer; replayed: boolean } {
    const requestFingerprint = fingerprint(body);
    const earlier = this.keys.lookup(idempotencyKey, requestFingerprint);
    if (earlier) return { shipment: { ...earlier }, replayed: true };

    const lost = body.carrier === LOST_IN_TRANSIT_CARRIER;
    const at = this.deps.now().toISOString();
    const shipment: SimulatedShipment = {
      id: newId('shp'),
      trackingNumber: `SIM-${randomBytes(6).toString('hex').toUpperCase()}${lost ? LOST_SUFFIX : ''}`,
      carrier: body.carrier,
      status: 'dispatched',
      orderId: body.orderId,
      items: body.items.map((item) => ({ ...item })),
      createdAt: at,
      updatedAt: at,
    };
    this.shipments.set(shipment.id, shipment);
    const answer: CarrierShipmentAnswer = { id: shipment.id, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier, status: 'dispatched' };
    this.keys.remember(idempotencyKey, requestFingerprint, answer);

    // The delivery is timed from the scan in transit, not from the booking: two timers set here could fire in the
    // same tick on a stalled event loop, and the parcel would be delivered the very millisecond it was first scanned.
    const delay = this.deps.deliveryDelayMs;
    this.deps.timers.after(delay, () => {
      this.advance(shipment.id, 'in_transit');
      if (!lost) this.deps.timers.after(delay, () => this.advance(shipment.id, 'delivered'));
    });
    this.deps.logger.debug({ shipmentId: shipment.id, orderId: shipment.orderId, carrier: shipment.carrier }, 'shipment booked');
    return { shipment: { ...answer }, replayed: false };
  }

  get(id: string): SimulatedShipment | undefined {
    const shipment = this.shipments.get(id);
    return shipment && { ...shipment, items: shipment.items.map((item) => ({ ...item })) };
  }

  /** Moves the parcel on and reports it; the event says when it happened, the dispatcher when it is sent. */
  private advance(id: string, status: 'in_transit' | 'delivered'): void {
    const shipment = this.shipments.get(id);
    if (!shipment) return;
    const at = this.deps.now().toISOString();
    shipment.status = status;
    shipment.updatedAt = at;
    const type: CarrierEventType = status === 'in_transit' ? 'shipment.in_transit' : 'shipment.delivered';
    this.deps.webhooks.enqueue({ id: newId('evt'), type, created: at, data: { trackingNumber: shipment.trackingNumber, shipmentId: shipment.id, at } }, 0);
  }
}
