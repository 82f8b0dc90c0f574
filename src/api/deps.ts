import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import type { ApiMetrics } from '../metrics/api-metrics';
import type { PaymentProvider } from '../payments/payment-provider';

/** What the HTTP layer needs from the outside world; injected so tests can build an app on real parts. */
export interface ApiDeps {
  config: Config;
  orm: Orm;
  temporal: Client;
  logger: Logger;
  /** The process's metrics (GET /metrics); createApp makes a private set when none is given (tests). */
  metrics?: ApiMetrics;
  /** Which payment methods the configured provider takes; its adapter from config when omitted. */
  paymentMethods?: Pick<PaymentProvider, 'acceptsPaymentMethod'>;
}
