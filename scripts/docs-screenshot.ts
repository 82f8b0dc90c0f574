// `npm run docs:screenshot`: screenshots of the Temporal Web UI for docs/observability.md, against a running
// `npm start`. Places demo orders through the API, then opens the saga of one of them (history and User Metadata
// tabs), the same history as it is stored (ciphertext, the codec server's answers replaced by the payloads it was
// sent) and decoded, and the workflow list filtered by OrderStatus, in Debian's Chromium driven by playwright-core
// (both installed here when missing). The API and Web UI addresses come from the environment (PORT,
// TEMPORAL_UI_URL, CODEC_PORT), as for the services.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Playwright from 'playwright-core';
import { loadConfigOrExit } from '../src/config';
import { orderWorkflowId } from '../workflows/order/definitions';

const CHROMIUM = '/usr/bin/chromium';
// No GPU, no sandbox (root in CI), and no background connections: the machine is offline, and Chromium's attempts to
// reach Google's hosts would otherwise fail loudly at every start.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'docs');

const config = loadConfigOrExit();
const api = `http://127.0.0.1:${config.PORT}`;
const uiOrigin = new URL(config.TEMPORAL_UI_URL).origin;
const admin = { authorization: `Bearer ${config.ADMIN_TOKEN}` };

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  console.log('installing Debian chromium (apt-get)…');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

async function loadPlaywright(): Promise<typeof Playwright> {
  try {
    require.resolve('playwright-core');
  } catch {
    console.log('installing playwright-core (npm, --no-save)…');
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', 'playwright-core'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
  return import('playwright-core');
}

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A product, one paid order (its saga waits in the cancellation window) and one declined order. */
async function placeDemoOrders(): Promise<{ paid: any; declined: any }> {
  const product = await call(
    'POST',
    `${api}/admin/products`,
    {
      sku: `DEMO-${randomUUID().slice(0, 8)}`,
      name: 'Espresso beans 1 kg',
      priceCents: 2450,
      currency: 'EUR',
      stock: 50,
    },
    admin,
  );
  const place = (token: string, quantity: number) =>
    call(
      'POST',
      `${api}/orders`,
      {
        customerId: 'docs-demo',
        customerEmail: 'demo@example.com',
        items: [{ productId: product.id, quantity }],
        payment: { token },
      },
      { 'idempotency-key': `docs-${randomUUID()}` },
    );
  const [paid, declined] = [await place('tok_visa', 2), await place('tok_declined', 1)];
  const settled = (id: string, statuses: string[]) =>
    waitFor(`order ${id}`, async () => {
      const order = await call('GET', `${api}/orders/${id}`);
      return statuses.includes(order.status) ? order : undefined;
    });
  return { paid: await settled(paid.id, ['PAID', 'COMPLETED']), declined: await settled(declined.id, ['CANCELLED']) };
}

/** What a Web UI without a codec server shows: every payload as it is, i.e. the decode call answers its own body. */
function identityCodecAnswer(request: Playwright.Request): { status: number; headers: Record<string, string>; body?: string } {
  const headers = {
    'access-control-allow-origin': uiOrigin,
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': request.headers()['access-control-request-headers'] ?? '*',
    'access-control-allow-methods': 'POST, OPTIONS',
    'content-type': 'application/json',
  };
  if (request.method() === 'OPTIONS') return { status: 204, headers };
  return { status: 200, headers, body: request.postData() ?? '{"payloads":[]}' };
}

/** A screenshot of the open saga: its input at the top, the start of its event history below. */
async function shootInput(page: Playwright.Page, file: string): Promise<void> {
  await page.waitForTimeout(1500); // let the payloads decode and the timeline finish drawing
  const shot = path.join(OUT_DIR, file);
  await page.screenshot({ path: shot });
  console.log(`wrote ${path.relative(ROOT, shot)}`);
}

async function main() {
  await waitFor(`the API at ${api} (is \`npm start\` running?)`, async () =>
    (await fetch(`${api}/readyz`)).ok ? true : undefined,
  );
  ensureChromium();
  const { chromium } = await loadPlaywright();
  const { paid, declined } = await placeDemoOrders();
  console.log(`orders: ${paid.id} (${paid.status}), ${declined.id} (${declined.status})`);

  const profile = mkdtempSync(path.join(os.tmpdir(), 'order-saga-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1440, height: 1100 },
  });
  try {
    mkdirSync(OUT_DIR, { recursive: true });
    const page = context.pages()[0] ?? (await context.newPage());

    // The saga of the paid order: the link every order JSON carries.
    await page.setViewportSize({ width: 1440, height: 1560 }); // tall enough for the whole event history
    await page.goto(paid.temporalUiUrl, { waitUntil: 'load' });
    await page.getByText('Reserve stock (row locks)').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000); // let the timeline finish drawing
    const orderShot = path.join(OUT_DIR, 'temporal-ui-order.png');
    await page.screenshot({ path: orderShot });
    console.log(`wrote ${path.relative(ROOT, orderShot)} (${paid.temporalUiUrl})`);

    // Its User Metadata tab: the static summary and details set at start, the current details, the step summaries.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByText('User Metadata').first().click();
    await page.getByText('Events with Metadata').first().waitFor({ timeout: 30_000 });
    const metadataShot = path.join(OUT_DIR, 'temporal-ui-order-metadata.png');
    await page.screenshot({ path: metadataShot });
    console.log(`wrote ${path.relative(ROOT, metadataShot)}`);

    // One history twice: as Temporal stores it (no codec: the codec server's decode answers are replaced by the
    // payloads the UI sent, so it shows ciphertext) and through the codec server.
    await page.setViewportSize({ width: 1440, height: 1100 });
    await page.route('**/codec/decode', (route) => route.fulfill(identityCodecAnswer(route.request())));
    await page.goto(paid.temporalUiUrl, { waitUntil: 'load' });
    // The Web UI shows raw metadata base64-encoded: "YmluYXJ5L2VuY3J5cHRlZA==" is "binary/encrypted".
    await page.getByText('YmluYXJ5L2VuY3J5cHRlZA').first().waitFor({ timeout: 30_000 });
    await shootInput(page, 'temporal-ui-order-encrypted.png');
    await page.unroute('**/codec/decode');
    await page.goto(paid.temporalUiUrl, { waitUntil: 'load' });
    await page.getByText('Reserve stock (row locks)').first().waitFor({ timeout: 30_000 });
    await page.getByText('demo@example.com').first().waitFor({ timeout: 30_000 });
    await shootInput(page, 'temporal-ui-order-decoded.png');

    // The list, filtered the way an engineer looks for sagas in one state.
    const ui = config.TEMPORAL_UI_URL.replace(/\/$/, '');
    const query = 'OrderStatus = "CANCELLED" OR OrderStatus = "PAID"';
    const listUrl = `${ui}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows?query=${encodeURIComponent(query)}`;
    await page.setViewportSize({ width: 1440, height: 800 });
    await page.goto(listUrl, { waitUntil: 'load' });
    await page.getByText(orderWorkflowId(paid.id)).first().waitFor({ timeout: 30_000 });
    const listShot = path.join(OUT_DIR, 'temporal-ui-orders-by-status.png');
    await page.screenshot({ path: listShot });
    console.log(`wrote ${path.relative(ROOT, listShot)} (${listUrl})`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
