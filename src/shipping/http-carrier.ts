import type { HttpClientOptions, ProviderErrorInit } from '../payments/http-json';
import { JsonHttpClient, ProviderHttpError } from '../payments/http-json';
import { carrierShipmentSchema } from '../wire/carrier-shipment';
import type { Carrier, CarrierShipment, CarrierShipmentRequest } from './carrier';

/**
 * A failed call to the carrier. Like the payment provider's errors, `retryable` decides: a timeout, a network error,
 * a 5xx (or 408/429) may succeed when sent again with the same key; any other 4xx is the carrier's definite answer.
 */
export class CarrierError extends ProviderHttpError {
  constructor(init: ProviderErrorInit) {
    super(init);
    this.name = 'CarrierError';
  }
}

/** The carrier over its HTTP API (the simulator's `POST /v1/shipments`, CARRIER_URL). */
export class HttpCarrier implements Carrier {
  private readonly http: JsonHttpClient;

  /** `timeoutMs` per request (10 s by default): the activity's retry, with the same key, is the answer to a slow carrier. */
  constructor(options: HttpClientOptions) {
    this.http = new JsonHttpClient('carrier', options, (init) => new CarrierError(init));
  }

  /** Books the parcel once per shipment id: a retried call answers the tracking number of the first. */
  async createShipment({ shipmentId, orderId, carrier, items }: CarrierShipmentRequest): Promise<CarrierShipment> {
    const booked = await this.http.request({
      method: 'POST',
      path: '/v1/shipments',
      headers: { 'idempotency-key': shipmentId },
      body: { orderId, carrier, items: items.map(({ productId, quantity }) => ({ productId, quantity })) },
      response: carrierShipmentSchema,
    });
    return { trackingNumber: booked.trackingNumber };
  }
}
