/**
 * `npm run demo`: with the system running (`npm start`), places one order per payment token (plus a cancel before and
 * one after payment, and a token the provider does not take) and prints how each ended, with its Temporal Web UI link.
 * Exits 1 when an order ends other than documented (scripts/demo/scenarios.ts), 2 when the system is not reachable.
 *
 * It reads the same environment as the system: API_URL (default http://127.0.0.1:$PORT), PAYMENT_PROVIDER_URL (the
 * simulator), ADMIN_TOKEN, AUTH_JWT_SECRET (it signs each customer's token, like `npm run token`), and PAYMENT_TIMEOUT, CANCEL_WINDOW and
 * SIM_SLOW_MS to know which stages it can wait for; DEMO_MAX_WAIT (default 60s) is the longest timer it waits for.
 */
import { signCustomerToken } from '../src/auth/development-token';
import { loadConfigOrExit, parseDuration } from '../src/config';
import { formatDemoTable, runDemo } from './demo/run';

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const apiUrl = (process.env.API_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/$/, '');
  const simulatorUrl = config.PAYMENT_PROVIDER_URL.replace(/\/$/, '');
  const horizonMs = parseDuration(process.env.DEMO_MAX_WAIT || '60s');
  if (horizonMs === undefined) {
    console.error(`DEMO_MAX_WAIT: expected a duration such as "60s", got "${process.env.DEMO_MAX_WAIT}"`);
    return 2;
  }
  for (const [what, url] of [['API', `${apiUrl}/healthz`], ['simulator', `${simulatorUrl}/healthz`]]) {
    const up = await fetch(url, { signal: AbortSignal.timeout(3_000) }).then((r) => r.ok, () => false);
    if (!up) {
      console.error(`the ${what} does not answer at ${url}: start the system first (npm start)`);
      return 2;
    }
  }
  const timings = { paymentTimeoutMs: config.PAYMENT_TIMEOUT, cancelWindowMs: config.CANCEL_WINDOW, slowMs: config.SIM_SLOW_MS, disputeDelayMs: config.SIM_DISPUTE_DELAY_MS, paymentCapture: config.PAYMENT_CAPTURE, horizonMs };
  console.log(
    `API ${apiUrl}, simulator ${simulatorUrl}; PAYMENT_TIMEOUT ${config.PAYMENT_TIMEOUT / 1000}s, CANCEL_WINDOW ${config.CANCEL_WINDOW / 1000}s, ` +
      `SIM_SLOW_MS ${config.SIM_SLOW_MS}; timers over ${horizonMs / 1000}s are not waited for`,
  );
  const rows = await runDemo({
    apiUrl,
    simulatorUrl,
    adminToken: config.ADMIN_TOKEN,
    // Signed with AUTH_JWT_SECRET (the development secret when unset), as `npm run token` signs.
    customerToken: (customerId) => signCustomerToken(config, { customerId }),
    timings,
    log: (line) => console.log(line),
  });
  console.log(`\n${formatDemoTable(rows)}\n`);
  const failed = rows.filter((r) => !r.ok);
  console.log(failed.length === 0 ? 'every order ended as documented' : `${failed.length} order(s) did not end as documented`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`the demo could not run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
