import { z } from 'zod';

/**
 * The body of a carrier webhook, shared by the sender (the simulator's carrier) and the receiver
 * (`POST /webhooks/carrier`). Signed like the payment webhooks (src/wire/webhook-signature.ts), with
 * CARRIER_WEBHOOK_SECRET. Unknown extra fields are stripped rather than rejected: carriers add fields over time.
 */
export const CARRIER_EVENT_TYPES = ['shipment.in_transit', 'shipment.delivered'] as const;
export type CarrierEventType = (typeof CARRIER_EVENT_TYPES)[number];

export const carrierEventSchema = z.object({
  /** Unique per event; a redelivery of the same event carries the same id, so receivers deduplicate on it. */
  id: z.string().min(1).max(255),
  type: z.enum(CARRIER_EVENT_TYPES),
  /** When the carrier sent the event (ISO 8601). */
  created: z.iso.datetime({ offset: true }),
  data: z.object({
    /** What the service knows the parcel by: the carrier answered it when the shipment was booked. */
    trackingNumber: z.string().min(1).max(255),
    /** The carrier's own id of the shipment (`shp_…`), not the service's. */
    shipmentId: z.string().min(1).max(255),
    /** When it happened (ISO 8601). */
    at: z.iso.datetime({ offset: true }),
  }),
});

export type CarrierEvent = z.infer<typeof carrierEventSchema>;
