import type { OrderItemRequest } from '../../workflows/order/definitions';

/**
 * A carrier, as the fulfilment activities see it: it takes a parcel and answers its tracking number. Later news
 * about the parcel (in transit, delivered) arrives as its webhooks (POST /webhooks/carrier).
 */
export interface CarrierShipmentRequest {
  /** Our shipment's id: the carrier's idempotency key, so a retried request never books a second parcel. */
  shipmentId: string;
  orderId: string;
  /** The carrier service asked for (the simulator's `lost-in-transit` books a parcel that is never delivered). */
  carrier: string;
  items: OrderItemRequest[];
}

export interface CarrierShipment {
  trackingNumber: string;
}

export interface Carrier {
  createShipment(request: CarrierShipmentRequest): Promise<CarrierShipment>;
}

/** The carrier a shipment names when the warehouse does not say. */
export const DEFAULT_CARRIER = 'sim-post';
