/**
 * Test payment methods, like a card network's test cards. The token alone decides what happens to a payment.
 */
export const SIMULATOR_TOKENS = ['tok_visa', 'tok_declined', 'tok_wallet', 'tok_no_webhook', 'tok_slow'] as const;
export type SimulatorToken = (typeof SIMULATOR_TOKENS)[number];

export interface SettlementDelays {
  webhookDelayMs: number;
  slowMs: number;
}

/** When the outcome of a payment with `token` is decided (and reported); undefined = never (stays pending). */
export function settlementDelayMs(token: SimulatorToken, delays: SettlementDelays): number | undefined {
  switch (token) {
    case 'tok_no_webhook':
      return undefined;
    case 'tok_slow':
      return delays.slowMs;
    default:
      return delays.webhookDelayMs;
  }
}

/** `tok_no_webhook` simulates a provider that never calls back about this payment, whatever happens to it. */
export function sendsWebhooks(token: SimulatorToken): boolean {
  return token !== 'tok_no_webhook';
}
