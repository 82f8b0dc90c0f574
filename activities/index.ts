import type { Config } from '../src/config';
import type { Orm } from '../src/db/orm';
import type { Logger } from '../src/logger';
import type { WorkerMetrics } from '../src/metrics/worker-metrics';
import type { Notifier } from '../src/payments/notifier';
import { HttpNotifier } from '../src/payments/notifier';
import type { PaymentProvider } from '../src/payments/payment-provider';
import { createPaymentProvider } from '../src/payments/provider-factory';
import type { Carrier } from '../src/shipping/carrier';
import { HttpCarrier } from '../src/shipping/http-carrier';
import { createFulfilmentActivities } from './fulfilment-activities';
import { createOrderActivities } from './order-activities';

/** Everything activities reach the outside world through; injected so tests can use real or fake parts. */
export interface ActivityDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  /** Default to the provider PAYMENT_PROVIDER names, and the HTTP client for NOTIFIER_URL. */
  payments?: PaymentProvider;
  notifier?: Notifier;
  /** Defaults to the HTTP carrier at CARRIER_URL (the simulator's POST /v1/shipments). */
  carrier?: Carrier;
  /** The worker's metrics (orders finished, saga duration, compensations, notifications); a private set when omitted. */
  metrics?: WorkerMetrics;
}

/** The worker's activities, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  const payments = deps.payments ?? createPaymentProvider(deps.config);
  const notifier = deps.notifier ?? new HttpNotifier({ baseUrl: deps.config.NOTIFIER_URL });
  const carrier = deps.carrier ?? new HttpCarrier({ baseUrl: deps.config.CARRIER_URL });
  return { ...createOrderActivities({ ...deps, payments, notifier }), ...createFulfilmentActivities({ ...deps, payments, carrier }) };
}

export type Activities = ReturnType<typeof createActivities>;
