import type { Config } from '../src/config';
import type { Orm } from '../src/db/orm';
import type { Logger } from '../src/logger';
import type { WorkerMetrics } from '../src/metrics/worker-metrics';
import type { Notifier } from '../src/payments/notifier';
import { HttpNotifier } from '../src/payments/notifier';
import type { PaymentProvider } from '../src/payments/payment-provider';
import { createPaymentProvider } from '../src/payments/provider-factory';
import { createOrderActivities } from './order-activities';

/** Everything activities reach the outside world through; injected so tests can use real or fake parts. */
export interface ActivityDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  /** Default to the provider PAYMENT_PROVIDER names, and the HTTP client for NOTIFIER_URL. */
  payments?: PaymentProvider;
  notifier?: Notifier;
  /** The worker's metrics (orders finished, saga duration, compensations, notifications); a private set when omitted. */
  metrics?: WorkerMetrics;
}

/** The worker's activities, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  const payments = deps.payments ?? createPaymentProvider(deps.config);
  const notifier = deps.notifier ?? new HttpNotifier({ baseUrl: deps.config.NOTIFIER_URL });
  return createOrderActivities({ ...deps, payments, notifier });
}

export type Activities = ReturnType<typeof createActivities>;
