import type { SimulatorToken } from '../../src/wire/simulator-tokens';

/**
 * What `npm run demo` does with each payment token, and how the order must end: the documented outcomes. The README's
 * token table is checked against this table (test/demo/demo.test.ts).
 *
 * An order passes through `stages`; each is reached after the delay named by `after`. A stage behind a timer longer
 * than the demo waits (PAYMENT_TIMEOUT, CANCEL_WINDOW, SIM_SLOW_MS) is not waited for: the order is then expected
 * to stay in the stage before it, and the table says what comes next.
 */
export type After = 'placement' | 'webhook' | 'SIM_SLOW_MS' | 'SIM_DISPUTE_DELAY_MS' | 'PAYMENT_TIMEOUT' | 'CANCEL_WINDOW' | 'cancel';

export interface Stage {
  status: string;
  /** `failureReason`, or the reason of the last history entry when there is none. */
  reason?: string;
  after: After;
}

export interface Scenario {
  name: string;
  token: SimulatorToken | 'tok_mastercard';
  /** tok_wallet's account: funded with plenty, or with less than the order costs. */
  wallet?: 'funded' | 'short';
  /** The customer cancels: right after placement, or as soon as the order is PAID. */
  cancel?: 'before_payment' | 'after_payment';
  /** A refused placement: the HTTP status and error code, no order. */
  refused?: { status: number; error: string };
  /** Played only against a system with PAYMENT_CAPTURE=manual. */
  manualCapture?: boolean;
  stages: Stage[];
}

export const DEMO_SCENARIOS: readonly Scenario[] = [
  {
    name: 'card paid',
    token: 'tok_visa',
    stages: [
      { status: 'PAID', after: 'webhook' },
      { status: 'COMPLETED', after: 'CANCEL_WINDOW' },
    ],
  },
  { name: 'card declined', token: 'tok_declined', stages: [{ status: 'CANCELLED', reason: 'card_declined', after: 'webhook' }] },
  {
    name: 'wallet paid',
    token: 'tok_wallet',
    wallet: 'funded',
    stages: [
      { status: 'PAID', after: 'webhook' },
      { status: 'COMPLETED', after: 'CANCEL_WINDOW' },
    ],
  },
  {
    name: 'wallet short',
    token: 'tok_wallet',
    wallet: 'short',
    stages: [{ status: 'CANCELLED', reason: 'insufficient_funds', after: 'webhook' }],
  },
  {
    name: 'slow provider',
    token: 'tok_slow',
    stages: [
      { status: 'AWAITING_PAYMENT', after: 'placement' },
      { status: 'PAID', after: 'SIM_SLOW_MS' },
      { status: 'COMPLETED', after: 'CANCEL_WINDOW' },
    ],
  },
  {
    name: 'provider never answers',
    token: 'tok_no_webhook',
    stages: [
      { status: 'AWAITING_PAYMENT', after: 'placement' },
      { status: 'CANCELLED', reason: 'payment_timeout', after: 'PAYMENT_TIMEOUT' },
    ],
  },
  {
    name: 'success webhook lost',
    token: 'tok_lost_webhook',
    stages: [
      { status: 'AWAITING_PAYMENT', after: 'placement' },
      // At PAYMENT_TIMEOUT the saga asks the provider, finds the charge succeeded, and carries on as paid.
      { status: 'PAID', after: 'PAYMENT_TIMEOUT' },
      { status: 'COMPLETED', after: 'CANCEL_WINDOW' },
    ],
  },
  {
    // Nobody closes the dispute in the demo: the order stays DISPUTED (POST /v1/disputes/{id}/close at the simulator).
    name: 'charge disputed',
    token: 'tok_disputed',
    stages: [
      { status: 'PAID', after: 'webhook' },
      { status: 'DISPUTED', reason: 'dispute_opened', after: 'SIM_DISPUTE_DELAY_MS' },
    ],
  },
  {
    name: 'cancelled before payment',
    token: 'tok_no_webhook',
    cancel: 'before_payment',
    stages: [{ status: 'CANCELLED', reason: 'customer_cancelled', after: 'cancel' }],
  },
  {
    name: 'cancelled after payment',
    token: 'tok_visa',
    cancel: 'after_payment',
    stages: [
      { status: 'PAID', after: 'webhook' },
      { status: 'REFUNDED', reason: 'customer_cancelled', after: 'cancel' },
    ],
  },
  {
    name: 'authorization lapses',
    token: 'tok_auth_expires',
    manualCapture: true,
    stages: [
      { status: 'PAID', after: 'webhook' },
      // The capture at the window's end comes after SIM_AUTH_TTL_MS: refused, the order is cancelled.
      { status: 'CANCELLED', reason: 'authorization_expired', after: 'CANCEL_WINDOW' },
    ],
  },
  {
    name: 'unknown token',
    token: 'tok_mastercard',
    refused: { status: 422, error: 'unsupported_payment_method' },
    stages: [],
  },
];

/** The delays the demo knows about: the running system's settings (the same environment variables). */
export interface DemoTimings {
  paymentTimeoutMs: number;
  cancelWindowMs: number;
  slowMs: number;
  /** SIM_DISPUTE_DELAY_MS (default 2 s). */
  disputeDelayMs?: number;
  /** PAYMENT_CAPTURE of the system; `automatic` when absent. */
  paymentCapture?: 'automatic' | 'manual';
  /** How long the demo is prepared to wait for a timer; stages behind longer ones are not waited for. */
  horizonMs: number;
}

/** The stages the demo waits for (the last is where it expects the order to settle), and those left for later. */
export function expectedStages(scenario: Scenario, t: DemoTimings): { waited: Stage[]; later: Stage[] } {
  const delay: Record<After, number> = {
    placement: 0,
    webhook: 0,
    cancel: 0,
    SIM_SLOW_MS: t.slowMs,
    SIM_DISPUTE_DELAY_MS: t.disputeDelayMs ?? 2_000,
    PAYMENT_TIMEOUT: t.paymentTimeoutMs,
    CANCEL_WINDOW: t.cancelWindowMs,
  };
  let total = 0;
  const cut = scenario.stages.findIndex((stage) => (total += delay[stage.after]) > t.horizonMs);
  return cut === -1 ? { waited: [...scenario.stages], later: [] } : { waited: scenario.stages.slice(0, cut), later: scenario.stages.slice(cut) };
}

export const TERMINAL = ['COMPLETED', 'CANCELLED', 'REFUNDED', 'REJECTED', 'NEEDS_ATTENTION'];
