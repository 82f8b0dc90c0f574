import type Router from '@koa/router';
import Koa from 'koa';
import type { Config } from '../config';
import { jsonBody } from '../http/body';
import type { DocsDeps } from '../http/docs-routes';
import { docsRoutes } from '../http/docs-routes';
import { errorMiddleware } from '../http/error-middleware';
import type { OpenApiDocument } from '../http/openapi';
import type { Route } from '../http/route';
import { routerFor } from '../http/route';
import type { Logger } from '../logger';
import type { KeepAliveClient } from '../keep-alive-client';
import { createKeepAliveClient } from '../keep-alive-client';
import { AccountStore } from './accounts';
import type { SimulatorErrorCode } from './error-codes';
import { SIMULATOR_ERROR_STATUS } from './error-codes';
import { NotificationStore } from './notifications';
import { simulatorDocument } from './openapi';
import { DisputeService } from './disputes';
import { PaymentService } from './payments';
import type { AccountDeps } from './routes/accounts';
import { accountRoutes } from './routes/accounts';
import { healthRoutes } from './routes/health';
import type { NotificationRoutesDeps } from './routes/notifications';
import { notificationRoutes } from './routes/notifications';
import type { PaymentRoutesDeps } from './routes/payments';
import { paymentRoutes } from './routes/payments';
import type { DisputeRoutesDeps } from './routes/disputes';
import { disputeRoutes } from './routes/disputes';
import type { SubscriberRoutesDeps } from './routes/subscribers';
import { subscriberRoutes } from './routes/subscribers';
import type { ShipmentRoutesDeps } from './routes/shipments';
import { shipmentRoutes } from './routes/shipments';
import { ShipmentService } from './shipments';
import { SubscriberStore } from './subscribers';
import { TimerSet } from './timers';
import { WebhookDispatcher } from './webhook-dispatcher';
import type { WebhookDispatcherOptions } from './webhook-dispatcher';
import type { CarrierEvent } from '../wire/carrier-event';
import type { WebhookEvent } from '../wire/webhook-event';

export interface SimulatorOptions {
  logger: Logger;
  webhookUrl: string;
  webhookSecret: string;
  /** How long after a change its webhook is sent (and when a pending payment's outcome is decided). */
  webhookDelayMs: number;
  /** When tok_slow payments settle. */
  slowMs: number;
  /** tok_disputed: from the capture to its dispute. Default 2 s. */
  disputeDelayMs?: number;
  /** How long a tok_auth_expires authorization holds before it lapses (manual capture). Default 5 s. */
  authTtlMs?: number;
  webhookMaxAttempts: number;
  duplicateWebhooks: boolean;
  shuffleWebhooks: boolean;
  /** 0..1: share of POST /v1/payments answered 503. */
  paymentFailRate: number;
  /** 0..1: share of POST /v1/notifications answered 503. */
  notifyFailRate: number;
  /** The carrier's webhooks (shipment.in_transit, shipment.delivered): where, signed with what. */
  carrierWebhookUrl: string;
  carrierWebhookSecret: string;
  /** From a booking to in transit, and as long again to delivered. */
  deliveryDelayMs: number;

  // Not environment settings: knobs with production-like defaults that tests turn down or pin.
  bodyLimitBytes?: number;
  /** First retry backoff; doubles per attempt. Default 500 ms. */
  webhookRetryBaseMs?: number;
  /** Backoff cap. Default 30 s. */
  webhookRetryMaxMs?: number;
  /** Per webhook POST. Default 5 s. */
  webhookTimeoutMs?: number;
  /** How long SIM_SHUFFLE_WEBHOOKS holds events before sending them shuffled. Default 200 ms. */
  shuffleWindowMs?: number;
  /** For fault-injection rates, jitter and shuffling; Math.random by default. */
  random?: () => number;
  now?: () => Date;
  /** Sends the webhooks; by default a keep-alive client of the simulator's own, closed with it. */
  http?: Pick<KeepAliveClient, 'send'>;
}

export interface Simulator {
  app: Koa;
  /** Every route it serves, documentation included: tests compare it with the document. */
  router: Router;
  accounts: AccountStore;
  payments: PaymentService;
  disputes: DisputeService;
  notifications: NotificationStore;
  webhooks: WebhookDispatcher<WebhookEvent>;
  /** The carrier's webhooks: the same dispatcher, to SIM_CARRIER_WEBHOOK_URL with CARRIER_WEBHOOK_SECRET. */
  carrierWebhooks: WebhookDispatcher<CarrierEvent>;
  shipments: ShipmentService;
  /** Receivers of the service's outbound webhooks (POST /v1/subscribers). */
  subscribers: SubscriberStore;
  /** Cancels every timer and in-flight webhook; the HTTP server (if any) is closed by whoever started it. */
  close(): Promise<void>;
}

/** Maps the environment (src/config.ts) onto the simulator's options. */
export function simulatorOptionsFromConfig(config: Config, logger: Logger): SimulatorOptions {
  return {
    logger,
    webhookUrl: config.SIM_WEBHOOK_URL,
    webhookSecret: config.PAYMENT_WEBHOOK_SECRET,
    webhookDelayMs: config.SIM_WEBHOOK_DELAY_MS,
    slowMs: config.SIM_SLOW_MS,
    disputeDelayMs: config.SIM_DISPUTE_DELAY_MS,
    authTtlMs: config.SIM_AUTH_TTL_MS,
    webhookMaxAttempts: config.SIM_WEBHOOK_MAX_ATTEMPTS,
    duplicateWebhooks: config.SIM_DUPLICATE_WEBHOOKS,
    shuffleWebhooks: config.SIM_SHUFFLE_WEBHOOKS,
    paymentFailRate: config.SIM_PAYMENT_FAIL_RATE,
    notifyFailRate: config.SIM_NOTIFY_FAIL_RATE,
    carrierWebhookUrl: config.SIM_CARRIER_WEBHOOK_URL,
    carrierWebhookSecret: config.CARRIER_WEBHOOK_SECRET,
    deliveryDelayMs: config.SIM_DELIVERY_DELAY_MS,
    bodyLimitBytes: config.REQUEST_BODY_LIMIT_BYTES,
  };
}

/** What the simulator's route handlers are given. */
type SimulatorRouteDeps = AccountDeps &
  PaymentRoutesDeps &
  DisputeRoutesDeps &
  NotificationRoutesDeps &
  ShipmentRoutesDeps &
  SubscriberRoutesDeps &
  DocsDeps;

/** Every operation of the simulator, in the document's order: the router and the document both come from it. */
export const SIMULATOR_ROUTES: readonly Route<SimulatorRouteDeps, SimulatorErrorCode>[] = [
  ...healthRoutes,
  ...accountRoutes,
  ...paymentRoutes,
  ...disputeRoutes,
  ...notificationRoutes,
  ...shipmentRoutes,
  ...subscriberRoutes,
  ...docsRoutes({
    title: 'order-saga payment simulator',
    page: { operationId: 'getDocsPage', summary: 'This reference, in Swagger UI' },
    asset: { operationId: 'getDocsAsset', summary: 'A static file of the reference page' },
  }),
];

/**
 * The payment provider + notification service + carrier simulator: a Koa app with in-memory state. main.ts serves it
 * as its own process; tests build it in-process and reach into its stores and dispatchers.
 */
export function createSimulatorApp(options: SimulatorOptions): Simulator {
  const { logger } = options;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());

  const timers = new TimerSet((err) => logger.error({ err }, 'simulator timer callback failed'));
  // Both dispatchers' POSTs (payments and carrier) share its kept connections; no cap: each delivery is one request.
  const ownClient = createKeepAliveClient(Infinity);
  // Both receivers get the same delivery behaviour (retries, SIM_DUPLICATE_WEBHOOKS, SIM_SHUFFLE_WEBHOOKS).
  const delivery: Omit<WebhookDispatcherOptions, 'url' | 'secret'> = {
    maxAttempts: options.webhookMaxAttempts,
    retryBaseMs: options.webhookRetryBaseMs ?? 500,
    retryMaxMs: options.webhookRetryMaxMs ?? 30_000,
    requestTimeoutMs: options.webhookTimeoutMs ?? 5_000,
    duplicate: options.duplicateWebhooks,
    shuffle: options.shuffleWebhooks,
    shuffleWindowMs: options.shuffleWindowMs ?? 200,
    random,
    http: options.http ?? ownClient,
    nowSeconds: () => Math.floor(now().getTime() / 1000),
    timers,
    logger,
  };
  const webhooks = new WebhookDispatcher<WebhookEvent>({ ...delivery, url: options.webhookUrl, secret: options.webhookSecret });
  const carrierWebhooks = new WebhookDispatcher<CarrierEvent>({
    ...delivery,
    url: options.carrierWebhookUrl,
    secret: options.carrierWebhookSecret,
  });
  const shipments = new ShipmentService({ webhooks: carrierWebhooks, timers, deliveryDelayMs: options.deliveryDelayMs, now, logger });
  const accounts = new AccountStore();
  const payments = new PaymentService({
    accounts,
    webhooks,
    timers,
    delays: { webhookDelayMs: options.webhookDelayMs, slowMs: options.slowMs, authTtlMs: options.authTtlMs },
    now,
    logger,
    onCaptured: (payment) => disputes.captured(payment),
  });
  const disputes = new DisputeService({
    webhooks,
    timers,
    disputeDelayMs: options.disputeDelayMs ?? 2_000,
    webhookDelayMs: options.webhookDelayMs,
    payment: (id) => payments.get(id),
    now,
    logger,
  });
  const notifications = new NotificationStore(now);
  const subscribers = new SubscriberStore(now);

  let document: OpenApiDocument | undefined;
  const router = routerFor(SIMULATOR_ROUTES, {
    accounts,
    payments,
    disputes,
    notifications,
    shipments,
    subscribers,
    paymentFailRate: options.paymentFailRate,
    notifyFailRate: options.notifyFailRate,
    random,
    openApiDocument: () => (document ??= simulatorDocument(SIMULATOR_ROUTES)),
  });

  const app = new Koa();
  app.silent = true; // the error middleware logs unexpected errors once
  app.use(errorMiddleware(logger, SIMULATOR_ERROR_STATUS));
  app.use(jsonBody(options.bodyLimitBytes ?? 64 * 1024));
  app.use(router.routes());
  app.use(router.allowedMethods());

  return {
    app,
    router,
    accounts,
    payments,
    disputes,
    notifications,
    webhooks,
    carrierWebhooks,
    shipments,
    subscribers,
    close: async () => {
      timers.close();
      webhooks.close();
      carrierWebhooks.close();
      ownClient.close();
    },
  };
}
