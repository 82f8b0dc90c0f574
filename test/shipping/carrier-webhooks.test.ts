import { createHash, randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { signWebhookPayload } from '../../src/wire/webhook-signature';
import { orderWorkflowId } from '../../workflows/order/definitions';
import { uniqueTaskQueue } from '../harness/env';
import type { InProcessApi } from '../harness/api';
import { inProcessApi } from '../harness/api';
import { insertShipment } from './fixtures';

/**
 * POST /webhooks/carrier: who may call it (the carrier, proven by CARRIER_WEBHOOK_SECRET), what it refuses, the
 * inbox's deduplication, and the shipment's order saga signalled. The sagas here are workflows no worker runs: a
 * signal to a running one lands in its history, which is all the route promises.
 */
describe('POST /webhooks/carrier', () => {
  let api: InProcessApi;
  beforeAll(async () => {
    api = await inProcessApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  const sql = <T>(text: string, params: unknown[] = []) => api.orm.em.fork().getConnection().execute<T[]>(text, params);
  const inbox = (eventId: string, provider = 'carrier') =>
    sql<{ outcome: string; order_id: string | null; deliveries: number }>(
      `SELECT outcome, order_id, deliveries FROM payment_webhook_events WHERE provider = ? AND event_id = ?`,
      [provider, eventId],
    );

  const event = (trackingNumber: string, overrides: Record<string, unknown> = {}) => ({
    id: `evt_${randomUUID()}`,
    type: 'shipment.delivered',
    created: new Date().toISOString(),
    data: { trackingNumber, shipmentId: `shp_${randomUUID().slice(0, 8)}`, at: '2026-12-05T10:00:00.000Z' },
    ...overrides,
  });

  /** POSTs `body` as the carrier would: JSON signed now with `secret` (CARRIER_WEBHOOK_SECRET unless told). */
  const post = (body: unknown, { secret = api.config.CARRIER_WEBHOOK_SECRET, signature, path = '/webhooks/carrier' }: { secret?: string; signature?: string | null; path?: string } = {}) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const header = signature === undefined ? signWebhookPayload(secret, raw, Math.floor(Date.now() / 1000)) : signature;
    return api.request(path, { method: 'POST', rawBody: raw, headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'payment-signature': header }) } });
  };

  describe('who may call it', () => {
    it.each([
      ['no signature', { signature: null }],
      ['a signature of another secret', { secret: 'whsec_someone_else_entirely_0123' }],
      ["the payment provider's signature", { secret: 'PAYMENT' }],
      ['a stale signature', { signature: 'STALE' }],
      ['a malformed signature header', { signature: 't=abc,v1=zz' }],
    ])('%s → 401 invalid_signature, nothing in the inbox, the rejection kept in the ring', async (_what, options: { secret?: string; signature?: string | null }) => {
      const body = event('SIM-000000000000');
      const raw = JSON.stringify(body);
      const secret = options.secret === 'PAYMENT' ? api.config.PAYMENT_WEBHOOK_SECRET : options.secret;
      const signature = options.signature === 'STALE' ? signWebhookPayload(api.config.CARRIER_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000) - 3600) : options.signature;
      const res = await post(body, { secret, signature });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_signature', message: expect.any(String) });
      expect(await inbox(body.id)).toEqual([]);
      const digest = createHash('sha256').update(raw).digest('hex');
      expect(await sql(`SELECT route, reason FROM webhook_rejections WHERE body_sha256 = ?`, [digest])).toEqual([{ route: '/webhooks/carrier', reason: 'invalid_signature' }]);
    });

    it("the carrier's signature does not open the payment route", async () => {
      const res = await post({ id: `evt_${randomUUID()}`, type: 'payment.other' }, { path: '/webhooks/payments' });
      expect(res.status).toBe(401);
    });
  });

  describe('bad input from the carrier', () => {
    it.each([
      ['a known type without data', (e: any) => ({ id: e.id, type: e.type, created: e.created })],
      ['no tracking number', (e: any) => ({ ...e, data: { ...e.data, trackingNumber: undefined } })],
      ['`at` not a date', (e: any) => ({ ...e, data: { ...e.data, at: 'yesterday' } })],
      ['no id', (e: any) => ({ ...e, id: undefined })],
    ])('%s → 400 validation_failed, kept in the inbox as malformed', async (_what, change) => {
      const body = change(event('SIM-000000000001'));
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation_failed', message: expect.any(String) });
      if (body.id) expect(await inbox(body.id)).toEqual([expect.objectContaining({ outcome: 'malformed' })]);
    });

    it('a body that is not JSON → 400 invalid_json', async () => {
      const res = await post('{"id": "evt_1", ');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_json');
    });
  });

  it('an event type the service does not act on is acknowledged and ignored, once', async () => {
    const body = { id: `evt_${randomUUID()}`, type: 'shipment.exception', data: { whatever: true } };
    expect(await post(body)).toMatchObject({ status: 200, body: { received: true } });
    expect(await post(body)).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect(await inbox(body.id)).toEqual([{ outcome: 'ignored', order_id: null, deliveries: 2 }]);
  });

  it('a tracking number not known (yet) → 404, so the carrier retries; the retry after the shipment is recorded is handled', async () => {
    const trackingNumber = `SIM-${randomUUID().slice(0, 12).toUpperCase()}`;
    const body = event(trackingNumber);
    const res = await post(body);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found' });
    expect(await inbox(body.id)).toEqual([expect.objectContaining({ outcome: 'order_not_found', deliveries: 1 })]);

    // The shipment is recorded; its order's saga has ended (here: never ran), so there is nothing to move.
    const shipment = await insertShipment(api.orm);
    await sql(`UPDATE shipments SET tracking_number = ? WHERE id = ?`, [trackingNumber, shipment.shipmentId]);
    expect(await post(body)).toMatchObject({ status: 200, body: { received: true } });
    expect(await inbox(body.id)).toEqual([{ outcome: 'ignored', order_id: shipment.orderId, deliveries: 2 }]);
  });

  it('a redelivered event is answered from the inbox (duplicate: true) and signals nothing again', async () => {
    const shipment = await insertShipment(api.orm);
    const workflowId = orderWorkflowId(shipment.orderId);
    const handle = await api.temporal.workflow.start('orderWorkflow', { workflowId, taskQueue: uniqueTaskQueue(), args: [] });
    try {
      const body = event(shipment.trackingNumber, { type: 'shipment.in_transit' });
      expect(await post(body)).toMatchObject({ status: 200, body: { received: true } });
      expect((await post(body)).body).toEqual({ received: true, duplicate: true });
      expect(await inbox(body.id)).toEqual([{ outcome: 'signalled', order_id: shipment.orderId, deliveries: 2 }]);
      expect(await shipmentSignals(workflowId)).toHaveLength(1);
    } finally {
      await handle.terminate('test over');
    }
  });

  it("signals the order's saga with our shipment's id, the event's id, type and time", async () => {
    const shipment = await insertShipment(api.orm);
    const workflowId = orderWorkflowId(shipment.orderId);
    const handle = await api.temporal.workflow.start('orderWorkflow', { workflowId, taskQueue: uniqueTaskQueue(), args: [] });
    try {
      const inTransit = event(shipment.trackingNumber, { type: 'shipment.in_transit' });
      const delivered = event(shipment.trackingNumber, { type: 'shipment.delivered' });
      for (const body of [inTransit, delivered]) expect((await post(body)).status).toBe(200);
      expect(await shipmentSignals(workflowId)).toEqual([
        { eventId: inTransit.id, type: 'shipment.in_transit', shipmentId: shipment.shipmentId, at: inTransit.data.at },
        { eventId: delivered.id, type: 'shipment.delivered', shipmentId: shipment.shipmentId, at: delivered.data.at },
      ]);
    } finally {
      await handle.terminate('test over');
    }
  });

  it('an event for a saga that has closed is acknowledged and ignored', async () => {
    const shipment = await insertShipment(api.orm);
    const handle = await api.temporal.workflow.start('orderWorkflow', { workflowId: orderWorkflowId(shipment.orderId), taskQueue: uniqueTaskQueue(), args: [] });
    await handle.terminate('closed before the parcel arrived');
    const body = event(shipment.trackingNumber);
    expect(await post(body)).toMatchObject({ status: 200, body: { received: true } });
    expect(await inbox(body.id)).toEqual([expect.objectContaining({ outcome: 'ignored', order_id: shipment.orderId })]);
  });

  it("carrier event ids are kept apart from the payment provider's: the same id is not a duplicate", async () => {
    const id = `evt_${randomUUID()}`;
    // A payment event with this id, handled (an unknown type: ignored) and kept under provider `simulator`.
    expect((await post({ id, type: 'payment.something_new' }, { secret: api.config.PAYMENT_WEBHOOK_SECRET, path: '/webhooks/payments' })).status).toBe(200);
    const shipment = await insertShipment(api.orm);
    const res = await post(event(shipment.trackingNumber, { id }));
    expect(res).toMatchObject({ status: 200, body: { received: true } });
    expect(res.body.duplicate).toBeUndefined();
    expect(await inbox(id, 'simulator')).toEqual([expect.objectContaining({ outcome: 'ignored', deliveries: 1 })]);
    expect(await inbox(id, 'carrier')).toEqual([expect.objectContaining({ outcome: 'ignored', order_id: shipment.orderId, deliveries: 1 })]);
  });

  /** The shipmentEvent signals in the workflow's history, decoded (payloads are encrypted). */
  async function shipmentSignals(workflowId: string): Promise<unknown[]> {
    const codec = new AesGcmPayloadCodec(api.config.PAYLOAD_ENCRYPTION_KEYS);
    const history = await api.temporal.workflow.getHandle(workflowId).fetchHistory();
    const signals = history.events!.map((e) => e.workflowExecutionSignaledEventAttributes).filter((s) => s?.signalName === 'shipmentEvent');
    return Promise.all(signals.map(async (s) => defaultPayloadConverter.fromPayload((await codec.decode(s!.input!.payloads! as never))[0])));
  }
});
