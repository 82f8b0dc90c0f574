import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderHttpError } from '../../src/payments/http-json';
import { HttpNotifier, NotifierError } from '../../src/payments/notifier';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { SimulatorPaymentProvider } from '../../src/payments/simulator-payment-provider';
import { SIMULATOR_TOKENS } from '../../src/wire/simulator-tokens';
import { uniqueId } from '../harness/env';
import type { RunningSimulator, WebhookReceiver } from './helpers';
import { forPayment, refusingUrl, startSimulator, startWebhookReceiver } from './helpers';

/** The clients the saga uses, against the running simulator. */
describe('SimulatorPaymentProvider and HttpNotifier', () => {
  let receiver: WebhookReceiver;
  let running: RunningSimulator;
  let provider: SimulatorPaymentProvider;
  let notifier: HttpNotifier;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    running = await startSimulator({ SIM_WEBHOOK_URL: receiver.url });
    // A trailing slash on the base URL must not matter.
    provider = new SimulatorPaymentProvider({ baseUrl: `${running.url}/`, timeoutMs: 5_000 });
    notifier = new HttpNotifier({ baseUrl: running.url });
  });
  afterAll(async () => {
    await running.close();
    await receiver.close();
  });

  const input = (overrides: Partial<Parameters<SimulatorPaymentProvider['createPayment']>[0]> = {}) => ({
    orderId: uniqueId('order'),
    customerId: uniqueId('cust'),
    amountCents: 4200,
    currency: 'EUR',
    token: 'tok_visa',
    idempotencyKey: uniqueId('key'),
    ...overrides,
  });

  /** The error a promise rejects with (fails the test if it resolves). */
  async function rejection(promise: Promise<unknown>): Promise<any> {
    try {
      await promise;
    } catch (err) {
      return err;
    }
    throw new Error('expected the call to fail');
  }

  describe('payments', () => {
    it('creates, replays, gets and lists a payment', async () => {
      const req = input({ metadata: { source: 'test' } });
      const created = await provider.createPayment(req);
      expect(created).toEqual({
        id: expect.stringMatching(/^pay_/),
        status: 'pending',
        orderId: req.orderId,
        customerId: req.customerId,
        amountCents: 4200,
        currency: 'EUR',
        refundedCents: 0,
      });
      expect((await provider.createPayment(req)).id).toBe(created.id);

      await receiver.waitForEvent(forPayment(created.id));
      expect(await provider.getPayment(created.id)).toMatchObject({ id: created.id, status: 'succeeded' });
      expect(await provider.listPayments(req.orderId)).toEqual([expect.objectContaining({ id: created.id })]);
      expect(await provider.listPayments(uniqueId('order'))).toEqual([]);
    });

    it('accepts exactly the simulator\'s test tokens as payment methods', () => {
      for (const token of SIMULATOR_TOKENS) expect(provider.acceptsPaymentMethod(token)).toBe(true);
      for (const token of ['tok_mastercard', 'pm_card_visa', 'TOK_VISA', 'tok_visa ', '']) {
        expect(provider.acceptsPaymentMethod(token)).toBe(false);
      }
    });

    it('getPayment answers undefined for an unknown id', async () => {
      expect(await provider.getPayment('pay_does_not_exist')).toBeUndefined();
    });

    it('voids a pending payment and reports failed payments with their reason', async () => {
      const slow = await provider.createPayment(input({ token: 'tok_slow' }));
      expect(await provider.voidPayment(slow.id)).toMatchObject({ status: 'voided', failureReason: 'voided' });
      expect(await provider.voidPayment(slow.id)).toMatchObject({ status: 'voided' });

      const declined = await provider.createPayment(input({ token: 'tok_declined' }));
      await receiver.waitForEvent(forPayment(declined.id));
      expect(await provider.getPayment(declined.id)).toMatchObject({
        status: 'failed',
        failureReason: 'card_declined',
      });
    });

    it('refunds a succeeded payment, idempotently', async () => {
      const paid = await provider.createPayment(input());
      await receiver.waitForEvent(forPayment(paid.id));
      const key = uniqueId('refund');
      expect(await provider.refundPayment(paid.id, key)).toMatchObject({ id: paid.id, status: 'refunded' });
      expect(await provider.refundPayment(paid.id, key)).toMatchObject({ id: paid.id, status: 'refunded' });
    });

    it('a 409 (not_voidable) is a non-retryable PaymentProviderError carrying the provider code', async () => {
      const paid = await provider.createPayment(input());
      await receiver.waitForEvent(forPayment(paid.id));
      const err = await rejection(provider.voidPayment(paid.id));
      expect(err).toBeInstanceOf(PaymentProviderError);
      expect(err).toBeInstanceOf(ProviderHttpError);
      expect(err).toMatchObject({ code: 'not_voidable', status: 409, retryable: false });
    });

    it('a 400 is non-retryable and keeps the validation details', async () => {
      const err = await rejection(provider.createPayment(input({ amountCents: 1.5 })));
      expect(err).toMatchObject({ code: 'validation_failed', status: 400, retryable: false });
      expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body.amountCents' })]));
    });

    it('an injected 503 is retryable, and the retry with the same key charges once', async () => {
      const rolls = [0, 0.99];
      const flaky = await startSimulator({ SIM_PAYMENT_FAIL_RATE: '0.5' }, { random: () => rolls.shift() ?? 0.99 });
      try {
        const client = new SimulatorPaymentProvider({ baseUrl: flaky.url });
        const req = input({ token: 'tok_no_webhook' });
        const err = await rejection(client.createPayment(req));
        expect(err).toBeInstanceOf(PaymentProviderError);
        expect(err).toMatchObject({ code: 'service_unavailable', status: 503, retryable: true });
        const created = await client.createPayment(req);
        expect(await client.listPayments(req.orderId)).toEqual([expect.objectContaining({ id: created.id })]);
      } finally {
        await flaky.close();
      }
    });
  });

  describe('notifications', () => {
    it('sends once per idempotency key and lists by order', async () => {
      const orderId = uniqueId('order');
      const send = {
        to: 'ada@example.com',
        template: 'order_confirmed',
        data: { orderId },
        idempotencyKey: `${orderId}:confirmed`,
      };
      const first = await notifier.send(send);
      expect(first.id).toMatch(/^ntf_/);
      expect(await notifier.send(send)).toEqual(first);
      expect(await notifier.list(orderId)).toEqual([
        {
          id: first.id,
          to: 'ada@example.com',
          template: 'order_confirmed',
          data: { orderId },
          createdAt: expect.any(String),
        },
      ]);
    });

    it('a reused key is a non-retryable NotifierError; a 503 is retryable', async () => {
      const key = uniqueId('key');
      await notifier.send({ to: 'a@example.com', template: 'order_confirmed', data: {}, idempotencyKey: key });
      const reused = await rejection(
        notifier.send({ to: 'b@example.com', template: 'order_confirmed', data: {}, idempotencyKey: key }),
      );
      expect(reused).toBeInstanceOf(NotifierError);
      expect(reused).toMatchObject({ code: 'idempotency_key_reused', status: 409, retryable: false });

      const flaky = await startSimulator({ SIM_NOTIFY_FAIL_RATE: '1' });
      try {
        const client = new HttpNotifier({ baseUrl: flaky.url });
        const err = await rejection(
          client.send({ to: 'a@example.com', template: 'x', data: {}, idempotencyKey: uniqueId('key') }),
        );
        expect(err).toBeInstanceOf(NotifierError);
        expect(err).toMatchObject({ code: 'service_unavailable', status: 503, retryable: true });
      } finally {
        await flaky.close();
      }
    });
  });

  describe('transport failures', () => {
    let server: Server;
    let base: string;
    let behaviour: 'hang' | 'garbage' | 'html-500' = 'hang';

    beforeAll(async () => {
      // A misbehaving provider: never answers, answers nonsense, or answers an HTML error page.
      server = createServer((_req, res) => {
        if (behaviour === 'garbage')
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"unexpected":true}');
        else if (behaviour === 'html-500')
          res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    });

    it('a timeout is retryable', async () => {
      behaviour = 'hang';
      const err = await rejection(new SimulatorPaymentProvider({ baseUrl: base, timeoutMs: 100 }).getPayment('pay_x'));
      expect(err).toBeInstanceOf(PaymentProviderError);
      expect(err).toMatchObject({ code: 'timeout', retryable: true });
    });

    it('a connection error is retryable', async () => {
      const err = await rejection(new HttpNotifier({ baseUrl: await refusingUrl() }).list('o'));
      expect(err).toBeInstanceOf(NotifierError);
      expect(err).toMatchObject({ code: 'network_error', retryable: true });
      expect(err.message).toContain('ECONNREFUSED');
    });

    it('a non-JSON 5xx is retryable with a generic code', async () => {
      behaviour = 'html-500';
      const err = await rejection(new SimulatorPaymentProvider({ baseUrl: base }).voidPayment('pay_x'));
      expect(err).toMatchObject({ code: 'http_502', status: 502, retryable: true });
    });

    it('a 2xx with an unexpected body is a non-retryable invalid_response', async () => {
      behaviour = 'garbage';
      const err = await rejection(new SimulatorPaymentProvider({ baseUrl: base }).getPayment('pay_x'));
      expect(err).toMatchObject({ code: 'invalid_response', status: 200, retryable: false });
    });
  });
});
