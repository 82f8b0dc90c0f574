import { Client as PgClient } from 'pg';
import { SETTLED_STATUSES } from '../../workflows/order/state-machine';
import type { System, TemporalPersistence } from '../../devtools/launcher';
import { launch, systemServices } from '../../devtools/launcher';
import { ORDER_LIMITS_OFF } from '../../devtools/limits-off';
import type { DriverStats } from './driver';
import { OrderDriver } from './driver';
import type { FaultCounts } from './faults';
import { FaultInjector } from './faults';
import { exchange, sleep } from './http';
import type { InvariantReport } from './invariants';
import { checkInvariants } from './invariants';
import { planOrders, seededRandom } from './plan';
import type { TemporalRows } from './temporal-rows';
import { countPersistedOrderWorkflows, persistenceViolations } from './temporal-rows';
import { startWebhookReceiver } from './webhook-receiver';
import { subscribeReceiver, waitUntilDelivered } from './webhook-subscriber';

export interface ChaosOptions {
  databaseUrl: string;
  orders: number;
  /** Requests in flight at most. */
  concurrency: number;
  /** Placements are spread over this long, so the faults land while orders flow. */
  placementMs: number;
  workerKillEveryMs: [number, number];
  maxWorkerKills: number;
  restartApi: boolean;
  restartTemporal: boolean;
  /** Restarts the machine's shared PostgreSQL: the full run only, never in tests. */
  restartPostgres: boolean;
  /** PAYMENT_TIMEOUT (tok_no_webhook orders end on it) and CANCEL_WINDOW (paid orders complete after it). */
  paymentTimeout: string;
  cancelWindow: string;
  /** PAYMENT_CAPTURE of the system: with `manual` paid orders are authorized, then captured at their window's end. Default automatic. */
  paymentCapture?: 'automatic' | 'manual';
  /** After placement, how long to wait for every order to finish before checking anyway. */
  settleTimeoutMs: number;
  seed: number;
  /** Which Temporal runs under the system (TEMPORAL_PERSISTENCE); default the dev server. */
  persistence?: TemporalPersistence;
  /** Worker processes and API instances (WORKERS, API_INSTANCES); default one each. */
  workers?: number;
  apiInstances?: number;
  /** A prebuilt workflow bundle (the jest harness has one); otherwise one is built. */
  workflowBundlePath?: string;
  log: (message: string) => void;
}

export interface ChaosSummary {
  seed: number;
  durationSeconds: number;
  placementSeconds: number;
  settleSeconds: number;
  planned: { orders: number; byToken: Record<string, number>; keyed: number; replays: number; cancels: number };
  driver: DriverStats;
  faults: FaultCounts;
  timeline: string[];
  temporalArgs: string[];
  /** How Temporal ran (TEMPORAL_PERSISTENCE): `dev`, or `postgres (… history shards, database …)`. */
  temporalMode: string;
  workers: number;
  apiInstances: number;
  /** postgres only: the order workflows found as rows in the Temporal server's database. */
  temporalRows?: TemporalRows;
  report: InvariantReport;
  workDir: string;
}

const PRODUCTS = 8;
/** Stock per product, per planned order: enough for most orders, so that some late ones are rejected. */
const STOCK_PER_ORDER = 0.2;
/** Wallet balances in cents: some cover an order or two, some none. */
const WALLET_BALANCES = [0, 500, 1500, 3000, 6000];

/**
 * One chaos run: the stack as processes (Temporal persisted to SQLite or PostgreSQL so it can be restarted), orders
 * of every kind placed through every API instance while workers are SIGKILLed and an API instance, Temporal and
 * (optionally) PostgreSQL are restarted; then it waits for every order to finish and runs the invariant checker
 * (on PostgreSQL persistence, also: every order's workflow is in the Temporal database). The simulator is never
 * restarted: it holds the charges.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const started = Date.now();
  const { log } = options;
  const random = seededRandom(options.seed);
  const persistence = options.persistence ?? 'dev';
  const workers = options.workers ?? 1;
  const apiInstances = options.apiInstances ?? 1;
  // The subscriber of every outbound webhook event: a receiver in this process, which the stack trusts.
  const receiver = await startWebhookReceiver();
  const stack = await launch({
    name: 'chaos',
    databaseUrl: options.databaseUrl,
    recreateDatabase: true,
    services: systemServices({
      workers,
      apiInstances,
      // Outages are long by webhook standards: let the provider keep retrying for a few minutes.
      env: { simulator: { SIM_DUPLICATE_WEBHOOKS: '1', SIM_SHUFFLE_WEBHOOKS: '1', SIM_WEBHOOK_DELAY_MS: '300', SIM_WEBHOOK_MAX_ATTEMPTS: '15' } },
    }),
    ports: 'free',
    // Persisted (the dev server's SQLite in the work directory, or PostgreSQL), so Temporal restarts without losing workflows.
    temporal: { persist: true, persistence },
    logs: 'files',
    workflowBundle: options.workflowBundlePath ? { path: options.workflowBundlePath } : { build: 'workflows' },
    env: {
      PAYMENT_TIMEOUT: options.paymentTimeout,
      CANCEL_WINDOW: options.cancelWindow,
      ...(options.paymentCapture ? { PAYMENT_CAPTURE: options.paymentCapture } : {}),
      DATABASE_POOL_MAX: '10',
      // A relay killed mid-delivery holds its lease for a round (2 × WEBHOOK_TIMEOUT) + 10 s; retries come within a minute, not hours.
      WEBHOOK_TIMEOUT: '5s',
      WEBHOOK_RETRY_SCHEDULE: '1s,2s,5s,10s,20s,30s,60s',
      // Goods that ship: the simulated carrier delivers within seconds, returns are taken for a short window.
      SIM_DELIVERY_DELAY_MS: '500',
      RETURN_WINDOW: '20s',
      DELIVERY_TIMEOUT: '15m',
      ...receiver.stackEnv,
      ...ORDER_LIMITS_OFF,
    },
    log,
  }).catch(async (err: unknown) => {
    await receiver.close();
    throw err;
  });
  const temporal = await stack.client();
  let clean = false;
  try {
    log(`stack up: API ${stack.apiUrls.join(', ')}, ${workers} worker(s), simulator ${stack.simulatorUrl}, Temporal ${stack.temporalAddress}, logs in ${stack.workDir}`);
    const admin = { authorization: `Bearer ${stack.config.ADMIN_TOKEN}` };
    // Subscribed before the first order, so every status change of every order is an event it must receive.
    await subscribeReceiver(stack.apiUrl, stack.config.ADMIN_TOKEN, receiver, 'chaos run: every event');
    const products: string[] = [];
    // Every other product is goods that ship: its orders are dispatched, delivered and sometimes returned.
    const shippingProducts = new Set<string>();
    for (let i = 0; i < PRODUCTS; i++) {
      const requiresShipping = i % 2 === 1;
      const res = await exchange(`${stack.apiUrl}/admin/products`, {
        headers: admin,
        body: { sku: `chaos-${options.seed}-${i}`, name: `Chaos product ${i}`, priceCents: 500 + 250 * i, currency: 'EUR', stock: Math.ceil(options.orders * STOCK_PER_ORDER), requiresShipping },
      });
      if (!res.ok || res.status !== 201) throw new Error(`creating a product failed: ${JSON.stringify(res)}`);
      products.push(String(res.body.id));
      if (requiresShipping) shippingProducts.add(String(res.body.id));
    }
    const walletCustomers = Array.from({ length: 15 }, (_, i) => `chaos-wallet-${i}`);
    for (const [i, customerId] of walletCustomers.entries()) {
      await exchange(`${stack.simulatorUrl}/v1/accounts`, { body: { customerId } });
      const amountCents = WALLET_BALANCES[i % WALLET_BALANCES.length];
      if (amountCents > 0) await exchange(`${stack.simulatorUrl}/v1/accounts/${customerId}/deposits`, { body: { amountCents } });
    }

    const plan = planOrders({
      orders: options.orders,
      placementMs: options.placementMs,
      products,
      walletCustomers,
      shippingProducts,
      cancelWithinMs: stack.config.PAYMENT_TIMEOUT + stack.config.CANCEL_WINDOW,
      random,
    });
    const faults = new FaultInjector(
      stack,
      {
        workerKillEveryMs: options.workerKillEveryMs,
        maxWorkerKills: options.maxWorkerKills,
        apiRestartAtMs: options.restartApi ? options.placementMs * 0.3 : undefined,
        temporalRestartAtMs: options.restartTemporal ? options.placementMs * 0.5 : undefined,
        postgresRestartAtMs: options.restartPostgres ? options.placementMs * 0.7 : undefined,
        random,
      },
      log,
    );
    // Orders are placed and cancelled as support staff would: the admin token names any customer.
    const driver = new OrderDriver(stack.apiUrls, log, admin, shippingProducts);
    const placementStarted = Date.now();
    faults.start();
    // An operator receives deliveries and writes off damaged stock while orders flow.
    const adjustments = (async () => {
      for (const share of [0.2, 0.45, 0.7, 0.9]) {
        await sleep(Math.max(0, placementStarted + options.placementMs * share - Date.now()));
        await driver.adjustStock(products[Math.floor(random() * products.length)], 25, stack.config.ADMIN_TOKEN);
        await driver.adjustStock(products[Math.floor(random() * products.length)], -1, stack.config.ADMIN_TOKEN);
      }
    })();
    await driver.run(plan, options.concurrency);
    await adjustments;
    const placementSeconds = (Date.now() - placementStarted) / 1000;
    await faults.stop();
    log(`all ${plan.length} orders placed and every replay and cancel answered after ${placementSeconds.toFixed(0)} s; waiting for the sagas to finish…`);

    const settleStarted = Date.now();
    await waitUntilSettled(options.databaseUrl, temporal, options.settleTimeoutMs, log);
    // The relays get at least a minute after the sagas, for messages whose relay was killed and whose lease runs out.
    await waitUntilDelivered(options.databaseUrl, Math.max(settleStarted + options.settleTimeoutMs, Date.now() + 60_000), log);
    const settleSeconds = (Date.now() - settleStarted) / 1000;
    const report = await checkInvariants({ databaseUrl: options.databaseUrl, simulatorUrl: stack.simulatorUrl, temporal, observed: driver.observations, webhookDeliveries: receiver.deliveries() });
    const temporalDatabase = stack.temporal!.database;
    const temporalRows = temporalDatabase ? await countPersistedOrderWorkflows(options.databaseUrl, temporalDatabase) : undefined;
    if (temporalRows) report.violations.push(...persistenceViolations(temporalRows));
    // A 5xx answer is not a breach of an invariant, but it is something to explain: keep the logs for it.
    const serverErrors = [driver.stats.answers, driver.stats.cancels, driver.stats.refunds, driver.stats.shipping].flatMap((counts) =>
      Object.entries(counts).filter(([answer]) => /\b5\d\d\b/.test(answer)),
    );
    if (serverErrors.length > 0) log(`5xx answers: ${serverErrors.map(([answer, n]) => `${answer}: ${n}`).join(', ')}`);
    clean = report.violations.length === 0 && serverErrors.length === 0;
    const byToken: Record<string, number> = {};
    for (const o of plan) byToken[o.token] = (byToken[o.token] ?? 0) + 1;
    return {
      seed: options.seed,
      durationSeconds: (Date.now() - started) / 1000,
      placementSeconds,
      settleSeconds,
      planned: {
        orders: plan.length,
        byToken,
        keyed: plan.filter((o) => o.idempotencyKey).length,
        replays: plan.filter((o) => o.replayAfterMs !== undefined).length,
        cancels: plan.filter((o) => o.cancelAfterMs !== undefined).length,
      },
      driver: driver.stats,
      faults: faults.counts,
      timeline: faults.timeline,
      temporalArgs: stack.temporal!.args,
      temporalMode: stack.temporal!.mode,
      workers,
      apiInstances,
      temporalRows,
      report,
      workDir: stack.workDir,
    };
  } finally {
    await temporal.connection.close().catch(() => undefined);
    // The logs and Temporal's SQLite file are kept only when there is something to explain.
    await stack.stop({ removeWorkDir: clean });
    await receiver.close();
    if (!clean) log(`logs${persistence === 'dev' ? " and Temporal's SQLite file" : ''} kept in ${stack.workDir}`);
  }
}

/**
 * Waits until every order is finished (or in NEEDS_ATTENTION, which waits for an operator) and no other workflow
 * runs, seen twice a few seconds apart so webhooks still being retried get their chance; or until the timeout.
 */
async function waitUntilSettled(databaseUrl: string, temporal: Awaited<ReturnType<System['client']>>, timeoutMs: number, log: (m: string) => void) {
  const deadline = Date.now() + timeoutMs;
  let quietRounds = 0;
  let lastReport = 0;
  while (Date.now() < deadline) {
    const db = new PgClient({ connectionString: databaseUrl });
    let unfinished = -1;
    let attention = 0;
    try {
      await db.connect();
      const { rows } = await db.query<{ unfinished: number; attention: number }>(
        `SELECT count(*) FILTER (WHERE status <> ALL($1::text[]))::int AS unfinished,
                count(*) FILTER (WHERE status = 'NEEDS_ATTENTION')::int AS attention FROM orders`,
        [SETTLED_STATUSES],
      );
      ({ unfinished, attention } = rows[0]);
    } catch {
      /* the database may be restarting: try again */
    } finally {
      await db.end().catch(() => undefined);
    }
    let running = -1;
    try {
      running = (await temporal.workflow.count('ExecutionStatus = "Running"')).count;
    } catch {
      /* Temporal may be restarting */
    }
    const quiet = unfinished === 0 && running === attention;
    quietRounds = quiet ? quietRounds + 1 : 0;
    if (quietRounds >= 2) return;
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      log(`  ${unfinished} order(s) unfinished, ${running} workflow(s) running`);
    }
    await sleep(quiet ? 5000 : 2000);
  }
  log(`gave up waiting after ${Math.round(timeoutMs / 1000)} s; checking what there is`);
}
