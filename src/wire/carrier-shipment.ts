import { z } from 'zod';

/**
 * A parcel booked with the carrier (`POST /v1/shipments`), as the simulator answers it and its client (the product's
 * HttpCarrier) validates it, so a misbehaving carrier fails loudly at the client.
 */
export const carrierShipmentSchema = z.object({
  /** The carrier's own id (`shp_…` at the simulator); webhooks name it beside the tracking number. */
  id: z.string().min(1),
  trackingNumber: z.string().min(1).max(255),
  carrier: z.string().min(1),
  status: z.literal('dispatched'),
});
export type CarrierShipmentAnswer = z.infer<typeof carrierShipmentSchema>;

/** The carrier service that books a parcel never delivered: its tracking number ends in LOST_SUFFIX. */
export const LOST_IN_TRANSIT_CARRIER = 'lost-in-transit';
export const LOST_SUFFIX = '-lost';
