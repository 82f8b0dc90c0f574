import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CarrierError, HttpCarrier } from '../../src/shipping/http-carrier';
import { uniqueId } from '../harness/env';
import { request } from '../harness/http';
import type { RunningSimulator } from '../simulator/helpers';
import { refusingUrl, startSimulator } from '../simulator/helpers';

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

/** A server that answers every request with `status` and `body`, or never answers (`hang`). */
async function fakeCarrier(answer: { status: number; body: string } | 'hang'): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

const shipment = (overrides: Partial<Parameters<HttpCarrier['createShipment']>[0]> = {}) => ({
  shipmentId: uniqueId('shipment'),
  orderId: uniqueId('order'),
  carrier: 'sim-post',
  items: [{ productId: uniqueId('prod'), quantity: 1 }],
  ...overrides,
});

describe('HttpCarrier against the simulator', () => {
  let running: RunningSimulator;
  let carrier: HttpCarrier;
  beforeAll(async () => {
    running = await startSimulator({ SIM_DELIVERY_DELAY_MS: '60000' });
    // A trailing slash on the base URL must not matter.
    carrier = new HttpCarrier({ baseUrl: `${running.url}/` });
  });
  afterAll(() => running.close());

  it('books a parcel and answers its tracking number; the same shipment id books it once', async () => {
    const req = shipment();
    const booked = await carrier.createShipment(req);
    expect(booked).toEqual({ trackingNumber: expect.stringMatching(/^SIM-[0-9A-F]{12}$/) });
    expect(await carrier.createShipment(req)).toEqual(booked);
    expect(await carrier.createShipment(shipment())).not.toEqual(booked);
  });

  it('sends the shipment id as the Idempotency-Key and {orderId, carrier, items} as the body', async () => {
    const req = shipment({ items: [{ productId: 'p-1', quantity: 3 }] });
    await carrier.createShipment(req);
    // The same key with the body the client sent answers the same parcel (409 if the body had differed).
    const replay = await request(`${running.url}/v1/shipments`, {
      method: 'POST',
      headers: { 'idempotency-key': req.shipmentId },
      body: { orderId: req.orderId, carrier: req.carrier, items: req.items },
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a lost-in-transit parcel gets a -lost tracking number', async () => {
    expect((await carrier.createShipment(shipment({ carrier: 'lost-in-transit' }))).trackingNumber).toMatch(/-lost$/);
  });

  it('a 4xx is a definite, non-retryable answer: the same shipment id with other items is 409', async () => {
    const req = shipment();
    await carrier.createShipment(req);
    const err = await rejection(carrier.createShipment({ ...req, items: [{ productId: 'other', quantity: 1 }] }));
    expect(err).toBeInstanceOf(CarrierError);
    expect(err).toMatchObject({ code: 'idempotency_key_reused', status: 409, retryable: false });
  });

  it('a request the carrier refuses as invalid (400) is not retryable', async () => {
    const err = await rejection(carrier.createShipment(shipment({ items: [] })));
    expect(err).toMatchObject({ name: 'CarrierError', code: 'validation_failed', status: 400, retryable: false });
  });
});

describe('HttpCarrier failures', () => {
  it('a 5xx is retryable', async () => {
    const { url, server } = await fakeCarrier({ status: 503, body: '{"error":"service_unavailable","message":"down"}' });
    try {
      const err = await rejection(new HttpCarrier({ baseUrl: url }).createShipment(shipment()));
      expect(err).toMatchObject({ name: 'CarrierError', code: 'service_unavailable', status: 503, retryable: true });
    } finally {
      await closeServer(server);
    }
  });

  it('a refused connection is retryable', async () => {
    const err = await rejection(new HttpCarrier({ baseUrl: await refusingUrl() }).createShipment(shipment()));
    expect(err).toMatchObject({ name: 'CarrierError', code: 'network_error', retryable: true });
  });

  it('a carrier that does not answer within timeoutMs is a retryable timeout', async () => {
    const { url, server } = await fakeCarrier('hang');
    try {
      const started = Date.now();
      const err = await rejection(new HttpCarrier({ baseUrl: url, timeoutMs: 150 }).createShipment(shipment()));
      expect(err).toMatchObject({ name: 'CarrierError', code: 'timeout', retryable: true });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await closeServer(server);
    }
  });

  it('a 2xx without a tracking number is an invalid response, not retried', async () => {
    const { url, server } = await fakeCarrier({ status: 201, body: '{"id":"shp_1","status":"dispatched","carrier":"sim-post"}' });
    try {
      const err = await rejection(new HttpCarrier({ baseUrl: url }).createShipment(shipment()));
      expect(err).toMatchObject({ name: 'CarrierError', code: 'invalid_response', retryable: false });
    } finally {
      await closeServer(server);
    }
  });
});
