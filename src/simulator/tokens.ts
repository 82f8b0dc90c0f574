import type { WebhookEventType } from '../wire/webhook-event';
import type { SimulatorToken } from '../wire/simulator-tokens';
import { simulatorTokenSpec } from '../wire/simulator-tokens';

export interface SettlementDelays {
  webhookDelayMs: number;
  slowMs: number;
  /** How long a tok_auth_expires authorization holds (SIM_AUTH_TTL_MS). */
  authTtlMs?: number;
}

/** SIM_AUTH_TTL_MS when not given. */
export const DEFAULT_AUTH_TTL_MS = 5000;

/** When the outcome of a payment with `token` is decided (and reported); undefined = never (stays pending). */
export function settlementDelayMs(token: SimulatorToken, delays: SettlementDelays): number | undefined {
  switch (simulatorTokenSpec(token).settles) {
    case 'never':
      return undefined;
    case 'after_slow_delay':
      return delays.slowMs;
    case 'after_webhook_delay':
      return delays.webhookDelayMs;
  }
}

/**
 * Whether the provider calls back about this change: `tok_no_webhook` never does, `tok_lost_webhook` loses its
 * `payment.succeeded` (the receiver must ask the provider), every other event is sent.
 */
export function sendsWebhook(token: SimulatorToken, type: WebhookEventType): boolean {
  switch (simulatorTokenSpec(token).webhooks) {
    case 'none':
      return false;
    case 'all_but_success':
      return type !== 'payment.succeeded';
    case 'all':
      return true;
  }
}
