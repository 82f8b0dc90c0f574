/**
 * What a round trip costs the process that makes it, in CPU, on this machine: why the bench's CPU per order follows
 * the number of round trips (statements, Temporal calls, requests) more than the work each does.
 *
 *   npm run bench:wakeups -- [--calls 4000]
 *
 * Prints µs of CPU of this process per event: a timer that lets the event loop sleep (1 ms and 10 ms), a loop turn
 * that never sleeps (setImmediate); then a Temporal call (GetSystemInfo, the cheapest the frontend answers) and a
 * PostgreSQL statement (SELECT 1) made 16 at a time back to back, one at a time back to back, and one at a time with
 * a 3 ms pause after each (the loop sleeps in between, as it does in a service at a moderate rate). Temporal is a dev
 * server the script starts; PostgreSQL is DATABASE_URL's server. Each figure is measured three times (the median, then
 * each time): the first rounds of a Temporal call still pay for the client's and the server's warming up.
 */
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { launch } from '../devtools/launcher';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '4000' } } });
const calls = Number(values.calls);
const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/order_saga';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/** µs of this process's CPU per run of `one`, made `n` times by `lanes` callers at once, after a warm-up of n ÷ 4. */
async function cpuPerCall(one: (lane: number) => Promise<unknown>, n: number, lanes: number): Promise<number> {
  const run = async (count: number) => {
    let left = count;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        while (left-- > 0) await one(lane);
      }),
    );
  };
  await run(Math.ceil(n / 4));
  const start = process.cpuUsage();
  await run(n);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

/** Three measurements of `measure`, printed as their median and each one. */
async function line(label: string, measure: () => Promise<number>): Promise<void> {
  const rounds = [await measure(), await measure(), await measure()];
  const median = [...rounds].sort((a, b) => a - b)[1];
  console.log(`${label.padEnd(58)} ${median.toFixed(0).padStart(6)} µs CPU (${rounds.map((r) => r.toFixed(0)).join(', ')})`);
}

async function main() {
  console.log('Event loop');
  await line('a loop turn that does not sleep (setImmediate)', () => cpuPerCall(immediate, 50 * calls, 1));
  await line('a 1 ms timer (the loop sleeps, then wakes)', () => cpuPerCall(() => sleep(1), Math.min(calls, 1000), 1));
  await line('a 10 ms timer', () => cpuPerCall(() => sleep(10), Math.min(calls, 300), 1));

  const stack = await launch({
    name: 'wakeups',
    databaseUrl: base.replace(/\/[^/]*$/, '/order_saga_wakeups'),
    recreateDatabase: true,
    services: [],
    ports: 'free',
    temporal: { persistence: 'dev' },
    logs: 'files',
    log: () => undefined,
  });
  const temporal = await Connection.connect({ address: stack.temporalAddress });
  const pg = await Promise.all(Array.from({ length: 16 }, () => new PgClient({ connectionString: base, application_name: 'bench-wakeups' })));
  await Promise.all(pg.map((c) => c.connect()));
  try {
    const systemInfo = () => temporal.workflowService.getSystemInfo({});
    const select = (lane: number) => pg[lane].query('SELECT 1');
    for (const [name, call] of [
      ['Temporal GetSystemInfo', systemInfo],
      ['PostgreSQL SELECT 1', select],
    ] as const) {
      console.log(`\n${name}`);
      await line('16 callers, back to back', () => cpuPerCall(call, calls, 16));
      await line('1 caller, back to back', () => cpuPerCall(call, Math.ceil(calls / 2), 1));
      await line('1 caller, 3 ms pause after each (pause’s timer included)', () => cpuPerCall((lane) => call(lane).then(() => sleep(3)), Math.ceil(calls / 4), 1));
    }
  } finally {
    await Promise.all(pg.map((c) => c.end()));
    await temporal.close();
    await stack.stop({ removeWorkDir: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
