import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SIMULATOR_TOKEN_TABLE } from '../../src/wire/simulator-tokens';
import { formatDemoTable, runDemo } from '../../scripts/demo/run';
import { signCustomerToken } from '../../src/auth/development-token';
import { DEMO_SCENARIOS, expectedStages } from '../../scripts/demo/scenarios';
import { useStack } from '../harness/stack';

// `npm run demo` against the whole system in-process: every scenario must end as its table says. PAYMENT_TIMEOUT is
// longer than the demo waits, so tok_no_webhook and tok_lost_webhook are expected to settle in AWAITING_PAYMENT.
describe('npm run demo', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '2m', CANCEL_WINDOW: '3s', SIM_WEBHOOK_DELAY_MS: '50', SIM_SLOW_MS: '500', SIM_DELIVERY_DELAY_MS: '200', SIM_DISPUTE_DELAY_MS: '300' });

  it('places one order per scenario and each ends as documented', async () => {
    const timings = { paymentTimeoutMs: 120_000, cancelWindowMs: 3_000, slowMs: 500, disputeDelayMs: 300, horizonMs: 20_000 };
    const rows = await runDemo({ apiUrl: stack.api, simulatorUrl: stack.simulatorUrl, adminToken: stack.config.ADMIN_TOKEN, customerToken: (customerId) => signCustomerToken(stack.config, { customerId }), timings, settleMs: 1_000 });
    const table = formatDemoTable(rows);
    expect({ failed: rows.filter((r) => !r.ok), table }).toEqual({ failed: [], table });
    expect(rows.map((r) => [r.token, r.status])).toEqual([
      ['tok_visa', 'COMPLETED'],
      ['tok_declined', 'CANCELLED'],
      ['tok_wallet', 'COMPLETED'],
      ['tok_wallet', 'CANCELLED'],
      ['tok_slow', 'COMPLETED'],
      ['tok_no_webhook', 'AWAITING_PAYMENT'],
      ['tok_lost_webhook', 'AWAITING_PAYMENT'],
      ['tok_disputed', 'DISPUTED'],
      ['tok_no_webhook', 'CANCELLED'],
      ['tok_visa', 'REFUNDED'],
      ['tok_mastercard', '422'],
      ['tok_visa', 'DELIVERED'], // goods that ship: dispatched, delivered, one line returned
    ]);
    for (const row of rows.filter((r) => r.token !== 'tok_mastercard')) expect(row.temporalUiUrl).toMatch(/\/workflows\/order-/);
  }, 120_000);

  it('waits for a timer only when it is within the demo horizon', () => {
    const lost = DEMO_SCENARIOS.find((s) => s.token === 'tok_lost_webhook')!;
    const short = { paymentTimeoutMs: 10_000, cancelWindowMs: 5_000, slowMs: 500, horizonMs: 60_000 };
    expect(expectedStages(lost, short).waited.at(-1)?.status).toBe('COMPLETED');
    expect(expectedStages(lost, { ...short, cancelWindowMs: 30 * 60_000 }).waited.at(-1)?.status).toBe('PAID');
    expect(expectedStages(lost, { ...short, paymentTimeoutMs: 15 * 60_000 })).toMatchObject({
      waited: [{ status: 'AWAITING_PAYMENT' }],
      later: [{ status: 'PAID' }, { status: 'COMPLETED' }],
    });
  });

  it("the README's token table lists every simulator token with its documented order outcome", () => {
    const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    for (const { token } of SIMULATOR_TOKEN_TABLE) {
      const line = readme.split('\n').find((l) => l.startsWith(`| \`${token}\``));
      expect({ token, line }).toEqual({ token, line: expect.any(String) });
      const scenario = DEMO_SCENARIOS.find((s) => s.token === token && !s.cancel)!;
      const final = scenario.stages.filter((s) => s.status !== 'PAID' || scenario.stages.at(-1) === s).map((s) => s.status);
      for (const status of final) expect({ token, line }).toEqual({ token, line: expect.stringContaining(status) });
      for (const stage of scenario.stages) if (stage.reason) expect({ token, line }).toEqual({ token, line: expect.stringContaining(stage.reason) });
    }
  });
});
