import { randomUUID } from 'node:crypto';
import { checkInvariants } from '../../chaos/lib/invariants';
import { TERMINAL_STATUSES } from '../../workflows/order/definitions';
import { exchange, sleep } from '../../chaos/lib/http';
import { newCustomer } from './customers';
import type { LegContext } from './legs';
import type { CpuBreakdown } from './meter';
import { LegMeter } from './meter';
import { randomOrderBody } from './products';
import type { LatencySummary } from './stats';
import { summarize } from './stats';
import type { StackConfiguration } from './options';

export interface OverloadResult extends StackConfiguration {
  /** Concurrent customers, each placing one order after another (a new customer every time). */
  customers: number;
  seconds: number;
  answers: number;
  /** 201 and 202 per second. */
  acceptedPerSecond: number;
  /** 503 and 429 per second. */
  shedPerSecond: number;
  /** Answers by HTTP status ("0": no answer: connection refused, reset or timed out). */
  byStatus: Record<string, number>;
  /** Latency of the answers of each status, and of all of them. */
  latency: Record<string, LatencySummary>;
  /** Accepted orders, and how many of them had settled (a terminal status) when the bench stopped waiting. */
  accepted: number;
  settled: number;
  /** The accepted orders by the status they reached. */
  settledStatuses: Record<string, number>;
  /** The invariant check over the whole bench database afterwards (stock ledger, payments, notifications). */
  invariantViolations: number;
  firstViolations: string[];
  cpu: CpuBreakdown;
  workerRssPeakMiB: number;
}

/** An accepted order has settled once its saga is over (COMPLETED after the cancellation window, or compensated). */
const SETTLED: readonly string[] = TERMINAL_STATUSES;

/**
 * `customers` concurrent new customers placing tok_visa orders for `seconds` on the overload API (production
 * admission settings: MAX_INFLIGHT_PLACEMENTS, PLACEMENT_DEADLINE). A customer shed with 503/429 waits its
 * Retry-After (0.5–1.5 ×, so the herd spreads) before the next customer of that slot tries, as a well-behaved
 * client would. Afterwards every accepted order must settle and the invariants must hold.
 */
export async function runOverloadLeg(ctx: LegContext, apiService: string, customers: number, seconds: number, settleTimeoutMs: number): Promise<OverloadResult> {
  const latencies = new Map<string, number[]>();
  const acceptedIds: string[] = [];
  const meter = new LegMeter(ctx.stack, ctx.driverBackendPids, apiService);
  const url = `${ctx.stack.url(apiService)}/orders`;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: customers }, async () => {
      while (performance.now() < deadline) {
        const customer = await newCustomer(ctx.stack.config);
        const t0 = performance.now();
        const res = await exchange(url, {
          method: 'POST',
          headers: { ...customer.headers, 'idempotency-key': randomUUID() },
          body: randomOrderBody(ctx.products, customer),
          timeoutMs: 60_000,
        });
        const ms = performance.now() - t0;
        const status = res.ok ? res.status : 0;
        const samples = latencies.get(String(status)) ?? [];
        samples.push(ms);
        latencies.set(String(status), samples);
        if (res.ok && (status === 201 || status === 202) && (res.body as { id?: string })?.id) acceptedIds.push((res.body as { id: string }).id);
        if (status === 503 || status === 429) {
          const retryAfter = Number(res.ok ? res.headers.get('retry-after') : NaN);
          await sleep((Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000 * (0.5 + Math.random()));
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;

  // Every accepted order settles: followed in the database until then, or until the bench gives up waiting.
  const settledStatuses: Record<string, number> = {};
  let settled = 0;
  await Promise.all(
    acceptedIds.map(async (id) => {
      const status = await Promise.race([ctx.follower.wait(id, SETTLED).catch((err: Error) => `failed: ${err.message.split(' ').at(-1)}`), sleep(settleTimeoutMs).then(() => 'not settled')]);
      settledStatuses[status] = (settledStatuses[status] ?? 0) + 1;
      if (SETTLED.includes(status)) settled++;
    }),
  );
  const { cpu, workerRssPeakMiB } = meter.finish();
  const report = await checkInvariants({
    databaseUrl: ctx.stack.options.databaseUrl,
    simulatorUrl: ctx.stack.simulatorUrl,
    temporal: ctx.temporal,
  });

  const byStatus = Object.fromEntries([...latencies].map(([s, l]) => [s, l.length]));
  const count = (...statuses: string[]) => statuses.reduce((n, s) => n + (byStatus[s] ?? 0), 0);
  const latency = Object.fromEntries([...latencies].map(([s, l]) => [s, summarize(l)]));
  latency.all = summarize([...latencies.values()].flat());
  return {
    ...ctx.configuration,
    customers,
    seconds: elapsed,
    answers: latency.all.count,
    acceptedPerSecond: count('201', '202') / elapsed,
    shedPerSecond: count('503', '429') / elapsed,
    byStatus,
    latency,
    accepted: acceptedIds.length,
    settled,
    settledStatuses,
    invariantViolations: report.violations.length,
    firstViolations: report.violations.slice(0, 5).map((v) => `${v.invariant} ${v.subject}: ${v.detail}`),
    cpu,
    workerRssPeakMiB,
  };
}
