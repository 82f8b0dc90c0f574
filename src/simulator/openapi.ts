import { buildOpenApiDocument } from '../http/openapi';
import type { Route } from '../http/route';
import { SIMULATOR_TOKEN_TABLE } from '../wire/simulator-tokens';
import { webhookEventSchema } from '../wire/webhook-event';
import { carrierEventSchema } from '../wire/carrier-event';
import {
  CARRIER_SIGNATURE_SECURITY_SCHEME,
  PAYMENT_SIGNATURE_SECURITY_SCHEME,
  WEBHOOK_SIGNATURE_HEADER,
} from '../wire/webhook-signature';
import type { SimulatorErrorCode } from './error-codes';
import { SIMULATOR_ERROR_STATUS } from './error-codes';

const tokenTable = [
  '| token | what the simulator does |',
  '| --- | --- |',
  ...SIMULATOR_TOKEN_TABLE.map((t) => `| \`${t.token}\` | ${t.description} |`),
].join('\n');

const DESCRIPTION = `A stand-in for a payment service provider, a notification service and a carrier, with its state in
memory.

**Payments** are created \`pending\` and settle later, the way card authorisations do; each change is reported to
SIM_WEBHOOK_URL as a signed webhook (see *Webhooks*). The payment token alone decides what happens:

${tokenTable}

**Webhooks** are POSTed at least once, signed \`${WEBHOOK_SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>">\` with PAYMENT_WEBHOOK_SECRET, retried with exponential backoff on anything but a 2xx, up to
SIM_WEBHOOK_MAX_ATTEMPTS attempts.

**Shipments** (the carrier): \`POST /v1/shipments\` books a parcel and answers its tracking number; after
SIM_DELIVERY_DELAY_MS it is reported \`shipment.in_transit\`, as long again later \`shipment.delivered\` (never for
carrier \`lost-in-transit\`, whose tracking numbers end in \`-lost\`). These webhooks go to SIM_CARRIER_WEBHOOK_URL,
signed the same way with CARRIER_WEBHOOK_SECRET, retried and fault-injected like the payment webhooks.

**Fault injection** (environment of the simulator process): SIM_DUPLICATE_WEBHOOKS=1 delivers every event twice,
SIM_SHUFFLE_WEBHOOKS=1 delivers events in random order (both apply to the carrier's webhooks too), SIM_PAYMENT_FAIL_RATE / SIM_NOTIFY_FAIL_RATE (0..1) answer
that share of \`POST /v1/payments\` / \`POST /v1/notifications\` 503 without changing anything; SIM_WEBHOOK_DELAY_MS
and SIM_SLOW_MS set when payments settle, SIM_DISPUTE_DELAY_MS when a disputed payment's dispute opens.

Every error is \`{ error, message, details? }\`. No route needs credentials: the simulator is a development tool.`;

const event = webhookEventSchema.meta({ id: 'PaymentWebhookEvent' });
const carrierEvent = carrierEventSchema.meta({ id: 'CarrierWebhookEvent' });

/** The simulator's OpenAPI 3.1 document, generated from the same route declarations that serve the requests. */
export function simulatorDocument(routes: readonly Route<never, SimulatorErrorCode>[]) {
  return buildOpenApiDocument({
    routes,
    errors: SIMULATOR_ERROR_STATUS,
    info: { title: 'order-saga payment + notification + carrier simulator', version: '0.1.0', description: DESCRIPTION },
    tags: [
      { name: 'payments', description: 'Charges, voids, refunds' },
      { name: 'disputes', description: 'Disputes of captured payments (`tok_disputed`), closed when told' },
      { name: 'accounts', description: 'Customer wallets for `tok_wallet`' },
      { name: 'notifications', description: 'The notification service (records what it sends)' },
      { name: 'shipments', description: 'The carrier: parcels, their tracking numbers, in transit and delivered' },
      { name: 'subscribers', description: "Receivers of the order service's outbound webhooks (Standard Webhooks), to try them" },
      { name: 'operability', description: 'Health and this documentation' },
      { name: 'webhooks', description: 'What the simulator sends' },
    ],
    extend: (registry) => {
      registry.registerComponent('securitySchemes', 'paymentSignature', PAYMENT_SIGNATURE_SECURITY_SCHEME);
      registry.registerComponent('securitySchemes', 'carrierSignature', CARRIER_SIGNATURE_SECURITY_SCHEME);
      registry.registerWebhook({
        method: 'post',
        path: 'paymentEvent',
        operationId: 'paymentEvent',
        tags: ['webhooks'],
        summary: 'Sent to SIM_WEBHOOK_URL on every payment change',
        description:
          '`payment.succeeded`, `payment.failed` (reason `card_declined`, `insufficient_funds` or `voided`), ' +
          '`payment.refunded`; `dispute.created` and `dispute.closed` (with `data.dispute`) for a disputed payment. ' +
          'A redelivery carries the same event id. Any 2xx ends the delivery; anything else is retried.',
        // Signed like the API expects (the receiver checks it): the security of the receiving end.
        security: [{ paymentSignature: [] }],
        request: { body: { required: true, content: { 'application/json': { schema: event } } } },
        responses: { 200: { description: 'Received (any 2xx)' } },
      });
      registry.registerWebhook({
        method: 'post',
        path: 'shipmentEvent',
        operationId: 'shipmentEvent',
        tags: ['webhooks'],
        summary: 'Sent to SIM_CARRIER_WEBHOOK_URL when a parcel is in transit, and when it is delivered',
        description:
          '`shipment.in_transit` SIM_DELIVERY_DELAY_MS after the booking, `shipment.delivered` as long again later ' +
          '(never for a `-lost` parcel). `data` names the tracking number, the carrier\'s shipment id and when it ' +
          'happened. A redelivery carries the same event id. Any 2xx ends the delivery; anything else is retried.',
        security: [{ carrierSignature: [] }],
        request: { body: { required: true, content: { 'application/json': { schema: carrierEvent } } } },
        responses: { 200: { description: 'Received (any 2xx)' } },
      });
    },
    schemas: [event, carrierEvent],
  });
}
