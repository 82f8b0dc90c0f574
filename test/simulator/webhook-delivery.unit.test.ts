import { webhookEventSchema } from '../../src/wire/webhook-event';
import { WEBHOOK_SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/wire/webhook-signature';
import { createPaymentBody } from '../../src/simulator/schemas';
import { uniqueId } from '../harness/env';
import type { RunningSimulator, WebhookReceiver } from './helpers';
import { SECRET, forPayment, paymentBody, postPayment, startSimulator, startWebhookReceiver } from './helpers';

describe('simulator webhook delivery', () => {
  let receiver: WebhookReceiver | undefined;
  let running: RunningSimulator | undefined;

  afterEach(async () => {
    await running?.close();
    await receiver?.close();
    running = undefined;
    receiver = undefined;
  });

  async function start(answer: (i: number) => number | 'drop', env: Record<string, string> = {}, options = {}) {
    receiver = await startWebhookReceiver(answer);
    running = await startSimulator({ SIM_WEBHOOK_URL: receiver.url, ...env }, options);
    return { receiver, running };
  }

  it('signs every delivery so the receiver can verify it with the secret, and the body is a valid event', async () => {
    const { receiver, running } = await start(() => 200);
    const res = await postPayment(running.url, paymentBody());
    await receiver.waitForEvent(forPayment(res.body.id));

    const [delivery] = receiver.received;
    const header = delivery.headers[WEBHOOK_SIGNATURE_HEADER] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature(SECRET, header, delivery.rawBody, now)).toBe(true);
    expect(verifyWebhookSignature('whsec_wrong_secret_xyz', header, delivery.rawBody, now)).toBe(false);
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(webhookEventSchema.safeParse(delivery.event).success).toBe(true);
  });

  it('retries a non-2xx answer with backoff until the receiver accepts it, with the same event id', async () => {
    const answers = [500, 503, 429];
    const { receiver, running } = await start((i) => answers[i] ?? 200, { SIM_WEBHOOK_MAX_ATTEMPTS: '5' });
    const res = await postPayment(running.url, paymentBody());
    await receiver.waitForEvent(forPayment(res.body.id));
    await running.sim.webhooks.idle();

    expect(receiver.received.map((r) => r.answered)).toEqual([500, 503, 429, 200]);
    expect(new Set(receiver.received.map((r) => r.event.id)).size).toBe(1);
    expect(running.sim.webhooks.attempts().map((a) => [a.attempt, a.ok])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(running.sim.webhooks.stats).toEqual({ delivered: 1, gaveUp: 0, attempts: 4 });
  });

  it('retries after a connection error', async () => {
    const { receiver, running } = await start((i) => (i === 0 ? 'drop' : 200));
    const res = await postPayment(running.url, paymentBody());
    await receiver.waitForEvent(forPayment(res.body.id));
    await running.sim.webhooks.idle();
    expect(receiver.received.map((r) => r.answered)).toEqual(['drop', 200]);
    expect(running.sim.webhooks.attempts()[0]).toMatchObject({ attempt: 1, ok: false, error: expect.any(String) });
  });

  it('gives up after SIM_WEBHOOK_MAX_ATTEMPTS', async () => {
    const { receiver, running } = await start(() => 500, { SIM_WEBHOOK_MAX_ATTEMPTS: '3' });
    await postPayment(running.url, paymentBody());
    await receiver.waitUntil((r) => r.length >= 3);
    await running.sim.webhooks.idle();
    expect(receiver.received).toHaveLength(3);
    expect(running.sim.webhooks.stats).toEqual({ delivered: 0, gaveUp: 1, attempts: 3 });
  });

  it('SIM_DUPLICATE_WEBHOOKS=1 delivers every event twice with the same event id', async () => {
    const { receiver, running } = await start(() => 200, { SIM_DUPLICATE_WEBHOOKS: '1' });
    const res = await postPayment(running.url, paymentBody({ token: 'tok_declined' }));
    await receiver.waitUntil((r) => r.filter((x) => forPayment(res.body.id)(x.event)).length >= 2);
    await running.sim.webhooks.idle();
    const mine = receiver.received.filter((x) => forPayment(res.body.id)(x.event));
    expect(mine).toHaveLength(2);
    expect(mine[0].event.id).toBe(mine[1].event.id);
    expect(mine[0].rawBody.equals(mine[1].rawBody)).toBe(true);
    expect(mine[0].event.type).toBe('payment.failed');
  });

  it('SIM_SHUFFLE_WEBHOOKS=1 still delivers every event, in a different order than they happened', async () => {
    // random() = 0 makes the shuffle a fixed permutation that never keeps the original order.
    const { receiver, running } = await start(() => 200, { SIM_SHUFFLE_WEBHOOKS: '1' }, { random: () => 0 });
    const created = Array.from(
      { length: 5 },
      () => running.sim.payments.create(createPaymentBody.parse(paymentBody()), uniqueId('key')).payment.id,
    );
    await receiver.waitUntil((r) => r.length >= 5);
    await running.sim.webhooks.idle();
    const deliveredOrder = receiver.received.map((r) => r.event.data.paymentId);
    expect([...deliveredOrder].sort()).toEqual([...created].sort());
    expect(deliveredOrder).not.toEqual(created);
  });

  it('close() drops pending deliveries and timers (nothing is sent afterwards)', async () => {
    const { receiver, running } = await start(() => 200, { SIM_WEBHOOK_DELAY_MS: '60000' });
    await postPayment(running.url, paymentBody());
    await running.sim.close();
    await running.sim.webhooks.idle(); // resolves at once: nothing is pending any more
    expect(receiver.received).toHaveLength(0);
  });
});
