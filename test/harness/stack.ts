import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities';
import { createApp } from '../../src/api/app';
import { startCatalogCache } from '../../src/catalog/catalog-cache';
import type { Config } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import type { PaymentProvider } from '../../src/payments/payment-provider';
import { SimulatorPaymentProvider } from '../../src/payments/simulator-payment-provider';
import { signWebhookPayload } from '../../src/wire/webhook-signature';
import type { Simulator, SimulatorOptions } from '../../src/simulator/app';
import { createSimulatorApp, simulatorOptionsFromConfig } from '../../src/simulator/app';
import { createTemporalClient } from '../../src/temporal/client';
import { testConfig, testLogger, testOrm, uniqueId, uniqueTaskQueue } from './env';
import type { RunningServer } from './http';
import { request, serve } from './http';
import { startTestWorker } from './temporal';
import { requireSystemTest } from './test-kind';
import { customerAuth } from './tokens';

export interface Stack {
  config: Config;
  api: string;
  simulatorUrl: string;
  simulator: Simulator;
  orm: Orm;
  temporal: Client;
  admin: Record<string, string>;
  /** Headers of a request made by this customer (a customer token for them). */
  as(customerId: string, email?: string): Promise<Record<string, string>>;
  /** Creates an active product with the given stock; unique sku per call. */
  createProduct(input?: { stock?: number; priceCents?: number; currency?: string }): Promise<{ id: string; priceCents: number }>;
  product(id: string): Promise<{ onHand: number; reserved: number; available: number }>;
  /** Polls GET /orders/:id until `done` holds (or `timeoutMs` passes) and returns the last order. */
  waitForOrder(id: string, done: (order: any) => boolean, timeoutMs?: number): Promise<any>;
  /** POSTs `event` to /webhooks/payments as the provider would: JSON, signed now with the webhook secret. */
  postWebhook(event: unknown): ReturnType<typeof request>;
  /** The notification templates the simulator recorded for an order, once there are at least `atLeast` of them. */
  notificationTemplates(orderId: string, atLeast: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The whole system in one test process, on real parts: the API and the payment simulator on loopback ports, a
 * worker with the real activities on its own task queue, the harness's Temporal dev server and test database.
 */
export interface StackOptions {
  /** Wraps the worker's payment provider client, e.g. to make it fail for a while. */
  wrapPayments?: (provider: PaymentProvider) => PaymentProvider;
}

export async function startStack(
  overrides: Record<string, string> = {},
  simulatorOverrides: Partial<SimulatorOptions> = {},
  options: StackOptions = {},
): Promise<Stack> {
  requireSystemTest('startStack()');
  const taskQueue = uniqueTaskQueue();
  const base = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, ...overrides });
  const logger = testLogger();
  const orm = await testOrm(base);
  const temporal = createTemporalClient(base);

  // The API first (the simulator needs its webhook URL), then the simulator (the worker needs its URL).
  let config = base;
  // Like the API process: a catalog cache with its own listening connection, unless CATALOG_CACHE=off.
  const catalog = base.CATALOG_CACHE ? startCatalogCache(base.DATABASE_URL, logger) : undefined;
  await catalog?.listener.ready;
  const appDeps = { config, orm, temporal, logger, productCache: catalog?.cache };
  const apiServer: RunningServer = await serve(createApp(appDeps));
  const simulator = createSimulatorApp({
    ...simulatorOptionsFromConfig(base, logger),
    webhookUrl: `${apiServer.url}/webhooks/payments`,
    carrierWebhookUrl: `${apiServer.url}/webhooks/carrier`,
    webhookRetryBaseMs: 50,
    webhookRetryMaxMs: 500,
    ...simulatorOverrides,
  });
  const simServer = await serve(simulator.app);
  config = { ...base, PAYMENT_PROVIDER_URL: simServer.url, NOTIFIER_URL: simServer.url, CARRIER_URL: simServer.url };
  appDeps.config = config;
  const worker = await startTestWorker({
    taskQueue,
    activities: createActivities({ orm, config, logger, payments: options.wrapPayments?.(new SimulatorPaymentProvider({ baseUrl: config.PAYMENT_PROVIDER_URL })) }),
  });

  const admin = { authorization: `Bearer ${config.ADMIN_TOKEN}` };
  const stack: Stack = {
    config,
    api: apiServer.url,
    simulatorUrl: simServer.url,
    simulator,
    orm,
    temporal,
    admin,
    as: (customerId, email) => customerAuth(config, customerId, email),
    async createProduct({ stock = 100, priceCents = 1250, currency = 'EUR' } = {}) {
      const res = await request(`${apiServer.url}/admin/products`, {
        headers: admin,
        body: { sku: uniqueId('sku'), name: 'Test product', priceCents, currency, stock },
      });
      if (res.status !== 201) throw new Error(`createProduct: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async product(id) {
      // Fresh from the database: a test reads the stock right after changes made by the worker, whose notifications
      // may still be on their way to this instance's listener.
      const res = await request(`${apiServer.url}/products/${id}`, { headers: { 'cache-control': 'no-cache' } });
      return res.body;
    },
    async waitForOrder(id, done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: any;
      while (Date.now() < deadline) {
        last = (await request(`${apiServer.url}/orders/${id}`, { headers: admin })).body;
        if (done(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`order ${id} did not get there in ${timeoutMs} ms; last seen: ${JSON.stringify(last?.status)} ${JSON.stringify(last?.history)}`);
    },
    postWebhook(event) {
      const raw = JSON.stringify(event);
      const signature = signWebhookPayload(config.PAYMENT_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000));
      return request(`${apiServer.url}/webhooks/payments`, { rawBody: raw, method: 'POST', headers: { 'content-type': 'application/json', 'payment-signature': signature } });
    },
    async notificationTemplates(orderId, atLeast, timeoutMs = 10_000) {
      // Notifications are sent after the status is written, so a test that has seen the status polls for them.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const templates = stack.simulator.notifications.list(orderId).map((n) => n.template);
        if (templates.length >= atLeast || Date.now() > deadline) return templates.sort();
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await worker.shutdown();
      await simulator.close();
      await simServer.close();
      await apiServer.close();
      await catalog?.close();
      await temporal.connection.close();
      await orm.close();
    },
  };
  return stack;
}

/**
 * The stack for the tests of the enclosing describe block: started in a beforeAll, closed in an afterAll. The
 * returned object is the stack once started (inside tests and later hooks; before that, reading it throws).
 * `overrides` may be a function, for settings known only once an earlier beforeAll ran (a mock's URL).
 */
export function useStack(
  overrides: Record<string, string> | (() => Record<string, string>) = {},
  simulatorOverrides: Partial<SimulatorOptions> = {},
  options: StackOptions = {},
): Stack {
  let started: Stack | undefined;
  beforeAll(async () => {
    started = await startStack(typeof overrides === 'function' ? overrides() : overrides, simulatorOverrides, options);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (property: string | symbol) => {
    if (!started) throw new Error(`stack.${String(property)} read before the stack started (useStack starts it in beforeAll)`);
    return started;
  };
  return new Proxy({} as Stack, {
    get: (_target, property) => Reflect.get(current(property), property),
    has: (_target, property) => Reflect.has(current(property), property),
  });
}
