import { carrierEventSchema } from '../../src/wire/carrier-event';
import { carrierShipmentSchema } from '../../src/wire/carrier-shipment';
import { WEBHOOK_SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/wire/webhook-signature';
import { uniqueId } from '../harness/env';
import { request } from '../harness/http';
import type { RunningSimulator, WebhookReceiver } from './helpers';
import { CARRIER_SECRET, SECRET, paymentBody, postPayment, startSimulator, startWebhookReceiver } from './helpers';

const DELAY_MS = 40;

function shipmentBody(overrides: Record<string, unknown> = {}) {
  return { orderId: uniqueId('order'), carrier: 'sim-post', items: [{ productId: uniqueId('prod'), quantity: 2 }], ...overrides };
}

function postShipment(baseUrl: string, body: unknown, key: string = uniqueId('shipment')) {
  return request(`${baseUrl}/v1/shipments`, { method: 'POST', body, headers: { 'idempotency-key': key } });
}

const forShipment = (id: string) => (event: any) => event?.data?.shipmentId === id;

/** The simulated carrier: POST /v1/shipments, then signed shipment webhooks to SIM_CARRIER_WEBHOOK_URL. */
describe('simulator carrier', () => {
  let carrierReceiver: WebhookReceiver;
  let paymentReceiver: WebhookReceiver;
  let running: RunningSimulator;

  async function start(env: Record<string, string> = {}, options = {}) {
    carrierReceiver = await startWebhookReceiver(() => 200, '/webhooks/carrier');
    paymentReceiver = await startWebhookReceiver();
    running = await startSimulator(
      { SIM_CARRIER_WEBHOOK_URL: carrierReceiver.url, SIM_WEBHOOK_URL: paymentReceiver.url, SIM_DELIVERY_DELAY_MS: String(DELAY_MS), ...env },
      options,
    );
  }
  afterEach(async () => {
    await running?.close();
    await carrierReceiver?.close();
    await paymentReceiver?.close();
  });

  describe('booking', () => {
    beforeEach(() => start());

    it('answers 201 with a shp_ id, a SIM-<12 hex> tracking number, the carrier and status dispatched', async () => {
      const res = await postShipment(running.url, shipmentBody());
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.stringMatching(/^shp_[0-9a-f]{24}$/), trackingNumber: expect.stringMatching(/^SIM-[0-9A-F]{12}$/), carrier: 'sim-post', status: 'dispatched' });
      expect(carrierShipmentSchema.safeParse(res.body).success).toBe(true);
      expect(res.headers.get('location')).toBe(`/v1/shipments/${res.body.id}`);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
    });

    it('the same Idempotency-Key answers the same parcel and books nothing; another body with it is 409', async () => {
      const body = shipmentBody();
      const first = await postShipment(running.url, body, 'shp-key-1');
      const again = await postShipment(running.url, { ...body, items: [...body.items] }, 'shp-key-1');
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');

      const other = await postShipment(running.url, shipmentBody(), 'shp-key-1');
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ error: 'idempotency_key_reused' });

      const fresh = await postShipment(running.url, body, 'shp-key-2');
      expect(fresh.body.trackingNumber).not.toBe(first.body.trackingNumber);
    });

    it('a replay after the parcel moved on repeats the first answer (dispatched); GET tells where it is now', async () => {
      const body = shipmentBody();
      const first = await postShipment(running.url, body, 'shp-key-late');
      await carrierReceiver.waitForEvent((e) => forShipment(first.body.id)(e) && e.type === 'shipment.delivered');
      expect((await postShipment(running.url, body, 'shp-key-late')).body).toEqual(first.body);
      const now = await request(`${running.url}/v1/shipments/${first.body.id}`);
      expect(now.body).toMatchObject({ id: first.body.id, status: 'delivered', orderId: body.orderId, items: body.items });
      expect((await request(`${running.url}/v1/shipments/shp_nope`)).status).toBe(404);
    });

    it('refuses bad input with 400: no key, no items, a zero quantity, an unknown field', async () => {
      const noKey = await request(`${running.url}/v1/shipments`, { method: 'POST', body: shipmentBody() });
      expect(noKey.status).toBe(400);
      for (const body of [shipmentBody({ items: [] }), shipmentBody({ items: [{ productId: 'p', quantity: 0 }] }), shipmentBody({ extra: 1 }), shipmentBody({ carrier: '' })]) {
        const res = await postShipment(running.url, body);
        expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'validation_failed' });
      }
    });
  });

  it('reports in_transit after SIM_DELIVERY_DELAY_MS and delivered as long again, signed with CARRIER_WEBHOOK_SECRET, to the carrier URL only', async () => {
    await start();
    const booked = (await postShipment(running.url, shipmentBody())).body;
    const bookedAt = Date.now();
    await carrierReceiver.waitUntil((r) => r.filter((x) => forShipment(booked.id)(x.event)).length >= 2);
    await running.sim.carrierWebhooks.idle();

    const mine = carrierReceiver.received.filter((x) => forShipment(booked.id)(x.event));
    expect(mine.map((x) => x.event.type)).toEqual(['shipment.in_transit', 'shipment.delivered']);
    const now = Math.floor(Date.now() / 1000);
    for (const { event, headers, rawBody } of mine) {
      expect(carrierEventSchema.safeParse(event).success).toBe(true);
      expect(event).toMatchObject({ id: expect.stringMatching(/^evt_/), data: { trackingNumber: booked.trackingNumber, shipmentId: booked.id } });
      const signature = headers[WEBHOOK_SIGNATURE_HEADER] as string;
      expect(verifyWebhookSignature(CARRIER_SECRET, signature, rawBody, now)).toBe(true);
      // The payment provider's secret does not sign the carrier's events.
      expect(verifyWebhookSignature(SECRET, signature, rawBody, now)).toBe(false);
    }
    const [inTransit, delivered] = mine.map((x) => Date.parse(x.event.data.at));
    expect(inTransit - bookedAt).toBeGreaterThanOrEqual(DELAY_MS - 10);
    expect(delivered - inTransit).toBeGreaterThanOrEqual(DELAY_MS - 10);
    expect(paymentReceiver.received).toEqual([]);
  });

  it('a lost-in-transit parcel has a -lost tracking number, is reported in transit and never delivered', async () => {
    await start();
    const booked = (await postShipment(running.url, shipmentBody({ carrier: 'lost-in-transit' }))).body;
    expect(booked.trackingNumber).toMatch(/^SIM-[0-9A-F]{12}-lost$/);
    await carrierReceiver.waitForEvent(forShipment(booked.id));
    // Well past when it would have been delivered.
    await new Promise((resolve) => setTimeout(resolve, 6 * DELAY_MS));
    await running.sim.carrierWebhooks.idle();
    expect(carrierReceiver.received.filter((x) => forShipment(booked.id)(x.event)).map((x) => x.event.type)).toEqual(['shipment.in_transit']);
    expect((await request(`${running.url}/v1/shipments/${booked.id}`)).body.status).toBe('in_transit');
  });

  it('payment webhooks still go to SIM_WEBHOOK_URL with PAYMENT_WEBHOOK_SECRET, none to the carrier URL', async () => {
    await start();
    const payment = (await postPayment(running.url, paymentBody())).body;
    await paymentReceiver.waitForEvent((e) => e?.data?.paymentId === payment.id);
    const [delivery] = paymentReceiver.received;
    expect(verifyWebhookSignature(SECRET, delivery.headers[WEBHOOK_SIGNATURE_HEADER] as string, delivery.rawBody, Math.floor(Date.now() / 1000))).toBe(true);
    await running.sim.webhooks.idle();
    expect(carrierReceiver.received).toEqual([]);
  });

  it('SIM_DUPLICATE_WEBHOOKS=1 delivers every carrier event twice, byte for byte', async () => {
    await start({ SIM_DUPLICATE_WEBHOOKS: '1' });
    const booked = (await postShipment(running.url, shipmentBody())).body;
    await carrierReceiver.waitUntil((r) => r.filter((x) => forShipment(booked.id)(x.event)).length >= 4);
    await running.sim.carrierWebhooks.idle();
    const mine = carrierReceiver.received.filter((x) => forShipment(booked.id)(x.event));
    expect(mine).toHaveLength(4);
    const byId = new Map<string, Buffer[]>();
    for (const x of mine) byId.set(x.event.id, [...(byId.get(x.event.id) ?? []), x.rawBody]);
    expect([...byId.values()].map((bodies) => bodies.length)).toEqual([2, 2]);
    for (const [a, b] of byId.values()) expect(a.equals(b)).toBe(true);
  });

  it('SIM_SHUFFLE_WEBHOOKS=1 holds carrier events and sends them in another order than they happened', async () => {
    // random() = 0: a fixed permutation that never keeps the original order; a window wide enough for both events.
    await start({ SIM_SHUFFLE_WEBHOOKS: '1', SIM_DELIVERY_DELAY_MS: '5' }, { random: () => 0, shuffleWindowMs: 100 });
    const booked = (await postShipment(running.url, shipmentBody())).body;
    await carrierReceiver.waitUntil((r) => r.filter((x) => forShipment(booked.id)(x.event)).length >= 2);
    await running.sim.carrierWebhooks.idle();
    expect(carrierReceiver.received.map((x) => x.event.type)).toEqual(['shipment.delivered', 'shipment.in_transit']);
  });
});
