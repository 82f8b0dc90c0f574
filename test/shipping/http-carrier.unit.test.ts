import { HttpCarrier } from '../../src/shipping/http-carrier';

// The minimal carrier client: what it sends (the shipment id as the Idempotency-Key) and what it makes of answers.
describe('HttpCarrier', () => {
  const request = { shipmentId: '6f1c1f43-6a3e-4b52-9a57-1f1e0b8f3d10', orderId: 'a7d8c1e4-0f3b-4e55-8f0e-3c5d2b1a9e77', carrier: 'sim-post', items: [{ productId: 'p', quantity: 1 }] };

  it('posts the parcel to /v1/shipments under the shipment id as key, and answers the tracking number', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ trackingNumber: 'SIM-123' }), { status: 201, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof globalThis.fetch;
    const carrier = new HttpCarrier({ baseUrl: 'http://carrier.test/', fetch });
    expect(await carrier.createShipment(request)).toEqual({ trackingNumber: 'SIM-123' });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://carrier.test/v1/shipments');
    expect(calls[0].init.method).toBe('POST');
    expect((calls[0].init.headers as Record<string, string>)['idempotency-key']).toBe(request.shipmentId);
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ orderId: request.orderId, carrier: 'sim-post', items: request.items });
  });

  it('a 5xx is retryable, a 4xx is not', async () => {
    const answering = (status: number) =>
      new HttpCarrier({ baseUrl: 'http://carrier.test', fetch: (async () => new Response(JSON.stringify({ error: 'x', message: 'x' }), { status })) as unknown as typeof fetch });
    await expect(answering(503).createShipment(request)).rejects.toMatchObject({ name: 'CarrierError', retryable: true });
    await expect(answering(422).createShipment(request)).rejects.toMatchObject({ name: 'CarrierError', retryable: false });
  });
});
