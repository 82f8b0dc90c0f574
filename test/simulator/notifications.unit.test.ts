import { uniqueId } from '../harness/env';
import { request } from '../harness/http';
import type { RunningSimulator } from './helpers';
import { startSimulator } from './helpers';

describe('simulator notifications', () => {
  let running: RunningSimulator;
  beforeAll(async () => {
    running = await startSimulator();
  });
  afterAll(async () => {
    await running.close();
  });

  const send = (body: unknown, key: string, url = running.url) =>
    request(`${url}/v1/notifications`, { method: 'POST', body, headers: { 'idempotency-key': key } });

  it('records a notification: 202 with id, to, template, data, createdAt', async () => {
    const orderId = uniqueId('order');
    const body = { to: 'ada@example.com', template: 'order_confirmed', data: { orderId, totalCents: 2599 } };
    const res = await send(body, uniqueId('key'));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^ntf_/), ...body, createdAt: expect.any(String) });

    const listed = await request(`${running.url}/v1/notifications?orderId=${orderId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([res.body]);
  });

  it('the same key answers the same record and sends nothing new', async () => {
    const orderId = uniqueId('order');
    const key = `${orderId}:order_confirmed`;
    const body = { to: 'ada@example.com', template: 'order_confirmed', data: { orderId } };
    const first = await send(body, key);
    const again = await Promise.all([send(body, key), send(body, key)]);
    for (const res of again) {
      expect(res.status).toBe(202);
      expect(res.body.id).toBe(first.body.id);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
    }
    expect((await request(`${running.url}/v1/notifications?orderId=${orderId}`)).body.items).toHaveLength(1);
  });

  it('the same key with a different body is 409 idempotency_key_reused', async () => {
    const orderId = uniqueId('order');
    const key = uniqueId('key');
    await send({ to: 'a@example.com', template: 'order_confirmed', data: { orderId } }, key);
    const res = await send({ to: 'a@example.com', template: 'order_cancelled', data: { orderId } }, key);
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('idempotency_key_reused');
    expect((await request(`${running.url}/v1/notifications?orderId=${orderId}`)).body.items).toHaveLength(1);
  });

  it("lists only the given order's notifications", async () => {
    const orderId = uniqueId('order');
    await send({ to: 'a@example.com', template: 'order_confirmed', data: { orderId } }, uniqueId('key'));
    await send({ to: 'a@example.com', template: 'order_refunded', data: { orderId } }, uniqueId('key'));
    await send(
      { to: 'b@example.com', template: 'order_confirmed', data: { orderId: uniqueId('order') } },
      uniqueId('key'),
    );
    await send({ to: 'c@example.com', template: 'welcome', data: {} }, uniqueId('key'));
    const listed = await request(`${running.url}/v1/notifications?orderId=${orderId}`);
    expect(listed.body.items.map((n: any) => n.template)).toEqual(['order_confirmed', 'order_refunded']);
  });

  it('SIM_NOTIFY_FAIL_RATE=1 answers 503 service_unavailable and records nothing', async () => {
    const flaky = await startSimulator({ SIM_NOTIFY_FAIL_RATE: '1' });
    try {
      const orderId = uniqueId('order');
      const res = await send(
        { to: 'a@example.com', template: 'order_confirmed', data: { orderId } },
        uniqueId('key'),
        flaky.url,
      );
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'service_unavailable', message: expect.any(String) });
      expect(flaky.sim.notifications.list()).toHaveLength(0);
    } finally {
      await flaky.close();
    }
  });
});
