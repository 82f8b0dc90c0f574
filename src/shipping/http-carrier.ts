import { z } from 'zod';
import type { HttpClientOptions, ProviderErrorInit } from '../payments/http-json';
import { JsonHttpClient, ProviderHttpError } from '../payments/http-json';
import type { Carrier, CarrierShipment, CarrierShipmentRequest } from './carrier';

/**
 * The carrier over HTTP (CARRIER_URL; the simulator answers POST /v1/shipments). A minimal client: the shipment id
 * is the Idempotency-Key, so a retried dispatch books one parcel and gets the same tracking number.
 */
export class CarrierError extends ProviderHttpError {
  constructor(init: ProviderErrorInit) {
    super(init);
    this.name = 'CarrierError';
  }
}

const carrierShipmentSchema = z.object({ trackingNumber: z.string().min(1) });

export class HttpCarrier implements Carrier {
  private readonly http: JsonHttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new JsonHttpClient('carrier', options, (init) => new CarrierError(init));
  }

  async createShipment({ shipmentId, orderId, carrier, items }: CarrierShipmentRequest): Promise<CarrierShipment> {
    const answer = await this.http.request({
      method: 'POST',
      path: '/v1/shipments',
      headers: { 'idempotency-key': shipmentId },
      body: { orderId, carrier, items },
      response: carrierShipmentSchema,
    });
    return { trackingNumber: answer.trackingNumber };
  }
}
