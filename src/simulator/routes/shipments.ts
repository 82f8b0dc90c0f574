import { z } from 'zod';
import { found } from '../../errors';
import { json } from '../../http/route';
import { carrierShipmentSchema } from '../../wire/carrier-shipment';
import { answer, defineRoute } from '../route';
import { createShipmentBody, idempotencyHeaders, shipmentParams, simulatedShipmentSchema } from '../schemas';
import type { ShipmentService } from '../shipments';

export interface ShipmentRoutesDeps {
  shipments: ShipmentService;
}

const replayed = z.object({
  'Idempotent-Replayed': z.literal('true').optional().describe('present when the answer repeats an earlier request with this key'),
});

/** The carrier: parcels booked for a tracking number, then reported in transit and delivered by webhook. */
export const shipmentRoutes = [
  defineRoute({
    method: 'post',
    path: '/v1/shipments',
    operationId: 'createShipment',
    auth: 'public',
    tags: ['shipments'],
    summary: 'Book a parcel: answers its tracking number',
    description:
      'Answers 201 with the parcel `dispatched` and its tracking number (`SIM-<12 hex>`). After SIM_DELIVERY_DELAY_MS ' +
      'a signed `shipment.in_transit` webhook is sent to SIM_CARRIER_WEBHOOK_URL, as long again later ' +
      '`shipment.delivered`. Carrier `lost-in-transit` books a parcel whose tracking number ends in `-lost`: in transit, ' +
      'never delivered. The same Idempotency-Key answers the first answer again (`Idempotent-Replayed: true`) and books ' +
      'nothing; with another body it is 409.',
    request: { headers: idempotencyHeaders, body: createShipmentBody },
    responses: {
      201: json('Booked', carrierShipmentSchema.meta({ id: 'BookedShipment' }), replayed.extend({ Location: z.string().describe('/v1/shipments/{id}') })),
    },
    errors: ['idempotency_key_reused'],
    handler: ({ headers, body }, ctx, { shipments }: ShipmentRoutesDeps) => {
      const { shipment, replayed: again } = shipments.book(body, headers['idempotency-key']);
      ctx.set('Location', `/v1/shipments/${shipment.id}`);
      answer(ctx, 201, shipment, again);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/shipments/{id}',
    operationId: 'getShipment',
    auth: 'public',
    tags: ['shipments'],
    summary: 'A parcel, as it stands now',
    request: { params: shipmentParams },
    responses: { 200: json('The parcel', simulatedShipmentSchema) },
    errors: ['not_found'],
    handler: ({ params }, ctx, { shipments }: ShipmentRoutesDeps) => answer(ctx, 200, found(shipments.get(params.id), 'shipment', params.id)),
  }),
];
