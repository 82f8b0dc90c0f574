import { randomBytes } from 'node:crypto';
import type { Scenario, Stage } from './scenarios';
import { DEMO_SCENARIOS, TERMINAL, expectedStages } from './scenarios';
import type { DemoOptions, DemoRow } from './demo-types';
import { call, reasonOf } from './demo-types';
import { runShippingDemo } from './shipping';

export type { DemoOptions, DemoRow } from './demo-types';

const describeStage = (s: Stage | undefined) => (s ? `${s.status}${s.reason ? ` (${s.reason})` : ''}` : '—');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Also walks an order of goods that ship through dispatch, delivery and a return (scripts/demo/shipping.ts).
 * Creates a product, funds two wallets at the simulator (one short), places one order per scenario, cancels where
 * the scenario says, and waits until each order has settled: it reached the last status the demo waits for (and,
 * when that status is not terminal, kept it for `settleMs`), or ended anywhere else (a failure).
 */
export async function runDemo(options: DemoOptions): Promise<DemoRow[]> {
  const log = options.log ?? (() => undefined);
  const run = randomBytes(4).toString('hex');
  const settleMs = options.settleMs ?? 2_000;
  const customerHeaders = async (customerId: string): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await options.customerToken(customerId)}`,
  });

  const product = await call(`${options.apiUrl}/admin/products`, {
    headers: { authorization: `Bearer ${options.adminToken}` },
    body: { sku: `demo-${run}`, name: 'Demo mug', priceCents: 1250, currency: 'EUR', stock: 100 },
  });
  if (product.status !== 201) throw new Error(`creating the demo product answered ${product.status}: ${JSON.stringify(product.body)}`);
  log(`product ${product.body.id} (1250 EUR cents, 100 in stock)`);

  const wallets = { funded: `demo-${run}-wallet`, short: `demo-${run}-short-wallet` };
  for (const [kind, customerId] of Object.entries(wallets)) {
    const opened = await call(`${options.simulatorUrl}/v1/accounts`, { body: { customerId } });
    if (opened.status !== 201) throw new Error(`opening a wallet at the simulator answered ${opened.status}: ${JSON.stringify(opened.body)}`);
    const amountCents = kind === 'funded' ? 100_000 : 100;
    await call(`${options.simulatorUrl}/v1/accounts/${customerId}/deposits`, { body: { amountCents } });
    log(`wallet ${customerId}: ${amountCents} cents`);
  }

  const deadlineMs = Date.now() + options.timings.horizonMs + 60_000;
  const shipping = runShippingDemo(options);
  const rows = await Promise.all(
    DEMO_SCENARIOS.filter((scenario) => !scenario.manualCapture || options.timings.paymentCapture === 'manual').map((scenario, i) =>
      playScenario(scenario, {
        ...options,
        customerId: scenario.wallet ? wallets[scenario.wallet] : `demo-${run}-${i}`,
        key: `demo-${run}-${i}`,
        productId: product.body.id,
        customerHeaders,
        settleMs,
        deadlineMs,
      }),
    ),
  );
  return [...rows, await shipping];
}

interface Play extends DemoOptions {
  customerId: string;
  key: string;
  productId: string;
  customerHeaders: (customerId: string) => Promise<Record<string, string>>;
  settleMs: number;
  deadlineMs: number;
}

async function playScenario(scenario: Scenario, p: Play): Promise<DemoRow> {
  const { waited, later } = expectedStages(scenario, p.timings);
  const target = waited.at(-1);
  const row = (status: string, reason: string, ok: boolean, temporalUiUrl = ''): DemoRow => ({
    scenario: scenario.name,
    token: scenario.token,
    status,
    reason,
    expected: scenario.refused ? `${scenario.refused.status} ${scenario.refused.error}` : describeStage(target),
    then: later.map((s) => `${describeStage(s)} after ${s.after}`).join(', then ') || '—',
    ok,
    temporalUiUrl,
  });

  const readHeaders = await p.customerHeaders(p.customerId);
  const headers = { 'idempotency-key': p.key, ...readHeaders };
  const placed = await call(`${p.apiUrl}/orders`, {
    headers,
    body: {
      customerId: p.customerId,
      customerEmail: `${p.customerId}@example.com`, // one customer and one email per order: the per-customer and per-email limits apply
      items: [{ productId: p.productId, quantity: 1 }],
      payment: { token: scenario.token },
    },
  });
  if (scenario.refused) {
    const error = String(placed.body?.error ?? '');
    return row(String(placed.status), error, placed.status === scenario.refused.status && error === scenario.refused.error);
  }
  if (placed.status !== 201) return row(String(placed.status), String(placed.body?.error ?? placed.body), false);
  const orderUrl = `${p.apiUrl}/orders/${placed.body.id}`;

  let order = placed.body;
  let cancelled = false;
  let heldSince: number | undefined;
  for (;;) {
    if (scenario.cancel && !cancelled && (scenario.cancel === 'before_payment' || order.status === 'PAID')) {
      cancelled = true;
      const answer = await call(`${orderUrl}/cancel`, { headers: readHeaders, body: {} });
      if (answer.status === 200) order = answer.body;
      else return row(order.status, `cancel answered ${answer.status} ${answer.body?.error ?? ''}`.trim(), false, order.temporalUiUrl);
    }
    const reason = reasonOf(order);
    const atTarget = target !== undefined && order.status === target.status && (target.reason === undefined || reason === target.reason);
    if (atTarget) {
      heldSince ??= Date.now();
      if (TERMINAL.includes(order.status) || Date.now() - heldSince >= p.settleMs) return row(order.status, reason, true, order.temporalUiUrl);
    } else {
      heldSince = undefined;
      const passing = waited.some((s) => s.status === order.status) || ['PENDING', 'RESERVED', 'AWAITING_PAYMENT'].includes(order.status);
      if (TERMINAL.includes(order.status) || !passing) return row(order.status, reason, false, order.temporalUiUrl);
    }
    if (Date.now() > p.deadlineMs) return row(order.status, `${reason} (still waiting)`.trim(), false, order.temporalUiUrl);
    await sleep(250);
    const read = await call(orderUrl, { headers: readHeaders });
    if (read.status === 200) order = read.body;
  }
}

/** The table the demo prints. */
export function formatDemoTable(rows: readonly DemoRow[]): string {
  const header: DemoRow = {
    scenario: 'scenario',
    token: 'token',
    status: 'status',
    reason: 'reason',
    expected: 'expected',
    then: 'then (timers longer than the demo waits)',
    ok: true,
    temporalUiUrl: 'temporalUiUrl',
  };
  const columns = ['scenario', 'token', 'status', 'reason', 'expected', 'then', 'temporalUiUrl'] as const;
  const all = [header, ...rows];
  const width = (c: (typeof columns)[number]) => Math.max(...all.map((r) => r[c].length));
  return all
    .map((r, i) => `${i === 0 ? ' ' : r.ok ? '✓' : '✗'} ${columns.map((c) => r[c].padEnd(width(c))).join('  ')}`.trimEnd())
    .join('\n');
}
