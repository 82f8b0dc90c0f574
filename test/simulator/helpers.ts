import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorOptions, Simulator } from '../../src/simulator/app';
import { createSimulatorApp, simulatorOptionsFromConfig } from '../../src/simulator/app';
import { testConfig, testLogger, uniqueId } from '../harness/env';
import { request, serve } from '../harness/http';

export const SECRET = 'whsec_test_secret_0123456789';
export const CARRIER_SECRET = 'whsec_test_carrier_secret_0123456789';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The parsed body (any: tests assert on its shape). */
  event: any;
  /** What the receiver answered ('drop' = connection destroyed without an answer). */
  answered: number | 'drop';
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves once `predicate` holds for what has been received (checked after every delivery). */
  waitUntil(predicate: (received: ReceivedWebhook[]) => boolean): Promise<void>;
  /** Resolves with the first accepted event matching `match`. */
  waitForEvent(match: (event: any) => boolean): Promise<any>;
  close(): Promise<void>;
}

/**
 * A stand-in for the API's webhook endpoint. `answer(index)` decides the status of the index-th request
 * (0-based), or 'drop' to cut the connection, so tests can make deliveries fail.
 */
export async function startWebhookReceiver(
  answer: (index: number) => number | 'drop' = () => 200,
  path = '/webhooks/payments',
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let waiters: { predicate: (r: ReceivedWebhook[]) => boolean; resolve: () => void }[] = [];
  const check = () => {
    waiters = waiters.filter((w) => {
      if (!w.predicate(received)) return true;
      w.resolve();
      return false;
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const answered = answer(received.length);
      let event: unknown;
      try {
        event = JSON.parse(rawBody.toString('utf8'));
      } catch {
        event = undefined;
      }
      received.push({ headers: req.headers, rawBody, event, answered });
      if (answered === 'drop') req.socket.destroy();
      else res.writeHead(answered, { 'content-type': 'application/json' }).end('{"received":true}');
      check();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const waitUntil = (predicate: (r: ReceivedWebhook[]) => boolean) =>
    new Promise<void>((resolve) => {
      waiters.push({ predicate, resolve });
      check();
    });

  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    waitUntil,
    async waitForEvent(match) {
      const accepted = (r: ReceivedWebhook) => typeof r.answered === 'number' && r.answered < 300 && match(r.event);
      await waitUntil((all) => all.some(accepted));
      return received.find(accepted)!.event;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback URL where nothing listens (a port just released), so connecting to it is refused. */
export async function refusingUrl(path = ''): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

export interface RunningSimulator {
  sim: Simulator;
  url: string;
  close(): Promise<void>;
}

/**
 * The simulator in-process on a random port. `env` goes through the real config parser (so the SIM_* switches are
 * exercised as operators set them); `options` pins the test-only knobs. Delays are short so tests run fast.
 */
export async function startSimulator(
  env: Record<string, string> = {},
  options: Partial<SimulatorOptions> = {},
): Promise<RunningSimulator> {
  const config = testConfig({
    PAYMENT_WEBHOOK_SECRET: SECRET,
    CARRIER_WEBHOOK_SECRET: CARRIER_SECRET,
    SIM_WEBHOOK_DELAY_MS: '10',
    SIM_SLOW_MS: '60000',
    // Tests that do not care about webhooks send them nowhere (refused, retried briefly, then given up).
    SIM_WEBHOOK_URL: await refusingUrl('/webhooks/payments'),
    SIM_CARRIER_WEBHOOK_URL: await refusingUrl('/webhooks/carrier'),
    ...env,
  });
  const sim = createSimulatorApp({
    ...simulatorOptionsFromConfig(config, testLogger()),
    webhookRetryBaseMs: 5,
    webhookRetryMaxMs: 40,
    webhookTimeoutMs: 2_000,
    shuffleWindowMs: 30,
    ...options,
  });
  const server = await serve(sim.app);
  return {
    sim,
    url: server.url,
    close: async () => {
      await sim.close();
      await server.close();
    },
  };
}

export function paymentBody(overrides: Record<string, unknown> = {}) {
  return {
    orderId: uniqueId('order'),
    customerId: uniqueId('cust'),
    amountCents: 2599,
    currency: 'EUR',
    token: 'tok_visa',
    ...overrides,
  };
}

/** POST /v1/payments with a fresh (or the given) Idempotency-Key. */
export function postPayment(baseUrl: string, body: Record<string, unknown>, key: string = uniqueId('key')) {
  return request(`${baseUrl}/v1/payments`, { method: 'POST', body, headers: { 'idempotency-key': key } });
}

export async function fundedAccount(baseUrl: string, balanceCents: number): Promise<string> {
  const customerId = uniqueId('cust');
  const created = await request(`${baseUrl}/v1/accounts`, { method: 'POST', body: { customerId } });
  if (created.status !== 201) throw new Error(`account creation answered ${created.status}`);
  if (balanceCents > 0) {
    const deposit = await request(`${baseUrl}/v1/accounts/${customerId}/deposits`, {
      method: 'POST',
      body: { amountCents: balanceCents },
    });
    if (deposit.status !== 200) throw new Error(`deposit answered ${deposit.status}`);
  }
  return customerId;
}

export const forPayment = (paymentId: string) => (event: any) => event?.data?.paymentId === paymentId;
