/**
 * The catalog leg: GET /products/{id} and GET /products answered with and without the API's catalog cache, and how
 * stale one API instance is after a change made through another.
 *
 *   npm run bench:catalog        (BENCH_SECONDS=10 per run, BENCH_CONCURRENCY=16; BENCH_DATABASE_URL to point elsewhere)
 *
 * Three API processes on one fresh database: two with CATALOG_CACHE=on (instances 1 and 2), one with it off. Reads
 * need no Temporal (its connection is lazy). The load driver is this process: keep-alive HTTP, a closed loop of
 * BENCH_CONCURRENCY requests. Staleness: a product is read (so cached) through instance 2, its stock adjusted through
 * instance 1, and instance 2 polled until it answers the new stock; the time from instance 1's answer is the figure.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { prepareDatabase } from '../devtools/launcher/database';
import { freePort, httpOk, waitUntil } from '../devtools/launcher/ports';
import { PROJECT_ROOT } from '../devtools/project-root';
import { loadConfig } from '../src/config';
import { summarize } from './lib/stats';
import type { LatencySummary } from './lib/stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PRODUCTS = 100;
const STALENESS_ROUNDS = 50;
const RESULTS_PATH = path.join(__dirname, 'results', 'catalog.json');
const ADMIN = 'bench-admin-token';

function databaseUrl(): string {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = '/order_saga_bench_catalog';
  return url.toString();
}

async function startApi(db: string, cache: 'on' | 'off'): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: db, PORT: String(port), HOST: '127.0.0.1', CATALOG_CACHE: cache, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: '127.0.0.1:1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`API (cache ${cache})`, () => httpOk(`${url}/healthz`), 60_000);
  return { url, child };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
}

function post(url: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}`, 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

interface LoadRow {
  route: string;
  cache: 'on' | 'off';
  requestsPerSecond: number;
  latencyMs: LatencySummary;
}

/** A closed loop of CONCURRENCY requests for SECONDS; every answer must be 200. */
async function load(route: string, cache: 'on' | 'off', nextUrl: () => string): Promise<LoadRow> {
  for (let i = 0; i < 200; i++) await get(nextUrl()); // warm: connections, JIT, the cache
  const samples: number[] = [];
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const res = await get(nextUrl());
        if (res.status !== 200) throw new Error(`${route}: ${res.status} ${res.body}`);
        samples.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { route, cache, requestsPerSecond: samples.length / elapsed, latencyMs: summarize(samples) };
}

/** Rounds of: read through instance 2 (cached), adjust through instance 1, poll instance 2 until it shows it. */
async function staleness(first: string, second: string, productIds: string[]): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let round = 0; round < STALENESS_ROUNDS; round++) {
    const id = productIds[round % productIds.length];
    await get(`${second}/products/${id}`);
    await get(`${second}/products/${id}`);
    const changed = await post(`${first}/admin/products/${id}/stock-adjustments`, { delta: 1, reason: 'bench' });
    const answeredAt = performance.now();
    const onHand = JSON.parse(changed.body).onHand as number;
    for (;;) {
      const seen = JSON.parse((await get(`${second}/products/${id}`)).body).onHand as number;
      if (seen === onHand) break;
      if (performance.now() - answeredAt > 10_000) throw new Error('instance 2 never saw the change');
    }
    samples.push(performance.now() - answeredAt);
  }
  return summarize(samples);
}

async function main(): Promise<void> {
  const db = databaseUrl();
  await prepareDatabase(db, { recreate: true });
  const pg = new Client({ connectionString: db });
  await pg.connect();
  const { rows } = await pg.query<{ id: string }>(
    `INSERT INTO products (sku, name, price_cents, currency, on_hand)
     SELECT 'bench-' || g, 'Bench product ' || g, 100 * g, 'EUR', 1000 FROM generate_series(1, $1::int) g RETURNING id`,
    [PRODUCTS],
  );
  await pg.end();
  const ids = rows.map((r) => r.id);

  const apis = { on1: await startApi(db, 'on'), on2: await startApi(db, 'on'), off: await startApi(db, 'off') };
  try {
    console.log(`catalog leg: ${SECONDS} s per run, C = ${CONCURRENCY}, ${PRODUCTS} products, ${os.cpus().length} CPU(s)\n`);
    let k = 0;
    const byId = (base: string) => () => `${base}/products/${ids[k++ % ids.length]}`;
    const page = (base: string) => () => `${base}/products?limit=20`;
    const results: LoadRow[] = [];
    for (const [route, next] of [
      ['GET /products/{id}', byId],
      ['GET /products?limit=20', page],
    ] as const) {
      results.push(await load(route, 'off', next(apis.off.url)));
      results.push(await load(route, 'on', next(apis.on1.url)));
    }
    const stale = await staleness(apis.on1.url, apis.on2.url, ids);

    const lines = [
      '| route | cache | requests/s | p50 ms | p99 ms |',
      '|---|---|---|---|---|',
      ...results.map((r) => `| ${r.route} | ${r.cache} | ${r.requestsPerSecond.toFixed(0)} | ${r.latencyMs.p50.toFixed(2)} | ${r.latencyMs.p99.toFixed(2)} |`),
    ];
    const speedup = (route: string) => {
      const on = results.find((r) => r.route === route && r.cache === 'on')!;
      const off = results.find((r) => r.route === route && r.cache === 'off')!;
      return on.requestsPerSecond / off.requestsPerSecond;
    };
    console.log(lines.join('\n'));
    console.log(`\nwith ÷ without the cache: GET /products/{id} ${speedup('GET /products/{id}').toFixed(1)}×, GET /products ${speedup('GET /products?limit=20').toFixed(1)}×`);
    console.log(
      `staleness across two instances (${STALENESS_ROUNDS} changes, from the changing instance's answer until the other answers it): ` +
        `p50 ${stale.p50.toFixed(2)} ms, p99 ${stale.p99.toFixed(2)} ms, max ${stale.max.toFixed(2)} ms`,
    );
    mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
    writeFileSync(
      RESULTS_PATH,
      JSON.stringify({ benchmark: 'catalog', seconds: SECONDS, concurrency: CONCURRENCY, cpus: os.cpus().length, node: process.version, at: new Date().toISOString(), results, stalenessMs: stale }, null, 2) + '\n',
    );
    console.log(`\nwritten to ${path.relative(process.cwd(), RESULTS_PATH)}`);
  } finally {
    for (const api of Object.values(apis)) api.child.kill('SIGTERM');
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
