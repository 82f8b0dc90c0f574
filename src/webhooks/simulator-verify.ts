import { verifyWebhookSignature } from '../wire/webhook-signature';

/**
 * The simulator signs its deliveries with the scheme of its wire format (src/wire/webhook-signature.ts, which the
 * simulator signs with): its payment webhooks with PAYMENT_WEBHOOK_SECRET, its carrier's with CARRIER_WEBHOOK_SECRET.
 * True when a delivery to `POST /webhooks/payments` or `POST /webhooks/carrier` carries, in its Payment-Signature
 * header, a valid signature of exactly these bytes with `secret`, made within the tolerance (5 minutes either way of
 * now).
 */
export function verifySimulatorDelivery(raw: Buffer, header: string | undefined, secret: string): boolean {
  return verifyWebhookSignature(secret, header, raw, Math.floor(Date.now() / 1000));
}
