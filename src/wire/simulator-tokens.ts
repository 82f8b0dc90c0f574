/**
 * The payment simulator's test payment methods, like a card network's test cards: the token alone decides what
 * happens to a payment. One table, read by the simulator (which behaves as it says), by its payment provider adapter
 * (which accepts exactly these tokens) and by the documentation (its OpenAPI document and the README).
 */
export const SIMULATOR_TOKEN_TABLE = [
  {
    token: 'tok_visa',
    settles: 'after_webhook_delay',
    outcome: 'succeeds',
    webhooks: 'all',
    description: 'succeeds after SIM_WEBHOOK_DELAY_MS; `payment.succeeded` is sent',
  },
  {
    token: 'tok_declined',
    settles: 'after_webhook_delay',
    outcome: 'declined',
    webhooks: 'all',
    description: 'fails with `card_declined` after SIM_WEBHOOK_DELAY_MS; `payment.failed` is sent',
  },
  {
    token: 'tok_wallet',
    settles: 'after_webhook_delay',
    outcome: 'debits_wallet',
    webhooks: 'all',
    description:
      "debits the customer's simulator account (`POST /v1/accounts`, `POST /v1/accounts/{customerId}/deposits`); " +
      'fails with `insufficient_funds` when the balance is short or there is no account',
  },
  {
    token: 'tok_slow',
    settles: 'after_slow_delay',
    outcome: 'succeeds',
    webhooks: 'all',
    description: 'succeeds after SIM_SLOW_MS instead of SIM_WEBHOOK_DELAY_MS',
  },
  {
    token: 'tok_no_webhook',
    settles: 'never',
    outcome: 'succeeds',
    webhooks: 'none',
    description: 'stays `pending` for ever and never calls back about this payment, whatever happens to it (a void still works)',
  },
  {
    token: 'tok_lost_webhook',
    settles: 'after_webhook_delay',
    outcome: 'succeeds',
    webhooks: 'all_but_success',
    description:
      'succeeds after SIM_WEBHOOK_DELAY_MS, but its `payment.succeeded` webhook is lost (never sent); ' +
      '`GET /v1/payments/{id}` shows it succeeded, and a later refund is reported as usual',
  },
  {
    token: 'tok_auth_expires',
    settles: 'after_webhook_delay',
    outcome: 'succeeds',
    webhooks: 'all',
    description:
      'like tok_visa; under manual capture its authorization lapses SIM_AUTH_TTL_MS after it was granted (it becomes ' +
      '`voided` with `authorization_expired`, no webhook), and a capture after that is 409 `authorization_expired`',
  },
  {
    token: 'tok_disputed',
    settles: 'after_webhook_delay',
    outcome: 'succeeds',
    webhooks: 'all',
    description:
      'succeeds after SIM_WEBHOOK_DELAY_MS; SIM_DISPUTE_DELAY_MS after the money is captured the customer’s bank ' +
      'disputes the charge (`dispute.created`, reason `fraudulent`); `POST /v1/disputes/{id}/close` closes it ' +
      '(`dispute.closed`, won or lost)',
  },
] as const;

/** The token whose authorization lapses after SIM_AUTH_TTL_MS (manual capture). */
export const EXPIRING_AUTHORIZATION_TOKEN: SimulatorToken = 'tok_auth_expires';

/** The tokens whose captured payments the customer's bank disputes (src/simulator/disputes.ts). */
export const DISPUTED_TOKENS: readonly SimulatorToken[] = ['tok_disputed'];

export type SimulatorTokenSpec = (typeof SIMULATOR_TOKEN_TABLE)[number];
export type SimulatorToken = SimulatorTokenSpec['token'];

export const SIMULATOR_TOKENS = SIMULATOR_TOKEN_TABLE.map((t) => t.token) as [SimulatorToken, ...SimulatorToken[]];

const KNOWN = new Set<string>(SIMULATOR_TOKENS);

export function isSimulatorToken(token: string): token is SimulatorToken {
  return KNOWN.has(token);
}

export function simulatorTokenSpec(token: SimulatorToken): SimulatorTokenSpec {
  return SIMULATOR_TOKEN_TABLE.find((t) => t.token === token)!;
}
