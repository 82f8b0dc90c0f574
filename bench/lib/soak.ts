import { checkInvariants } from '../../chaos/lib/invariants';
import { sleep } from '../../chaos/lib/http';
import { newCustomer } from './customers';
import type { LegContext } from './legs';
import { placeOrderAs } from './legs';
import type { CpuBreakdown } from './meter';
import { LegMeter, perSaga } from './meter';
import { processMemoryMiB } from './proc';
import type { LatencySummary } from './stats';
import { summarize } from './stats';
import type { StackConfiguration } from './options';

/** One sample of the worker's resident memory, `atSeconds` after the soak began. */
export interface RssSample {
  atSeconds: number;
  rssMiB: number;
}

export interface SoakResult extends StackConfiguration {
  /** Placements started per second (open loop: one every 1/rate s, whatever the answers). */
  rate: number;
  /** Where the rate came from: 60 % of the saga leg's best sagas/s on this stack, or --soak-rate. */
  rateSource: string;
  seconds: number;
  placements: number;
  /** Answers by HTTP status, refusals with their error code ("503 overloaded"); "0": no answer. */
  byStatus: Record<string, number>;
  /** 503 and 429 answers: what was shed although the rate stayed steady. */
  shed: number;
  latency: LatencySummary;
  accepted: number;
  /** Accepted orders followed to PAID with their confirmation sent (as the saga leg follows them). */
  served: number;
  invariantViolations: number;
  firstViolations: string[];
  /** CPU-seconds per accepted order over the soak (placement to the end of the settling wait). */
  cpuPerOrder: CpuBreakdown;
  /** The worker's RSS every 5 s, its peak, and the mean over the first and over the last fifth of the soak. */
  rss: RssSample[];
  rssPeakMiB: number;
  rssFirstFifthMiB: number;
  rssLastFifthMiB: number;
}

const SAMPLE_EVERY_MS = 5_000;

/**
 * A steady rate of tok_visa placements by new customers for `seconds`, on the API with the production admission
 * settings: does anything get shed below capacity, and does the worker's memory stay flat? Open loop, so a slow
 * answer does not lower the rate; each accepted order is followed to PAID + confirmation (the saga leg's end point: the
 * stack's CANCEL_WINDOW may be production's 30 min, which is what makes workflows pile up in the worker's cache), then
 * the invariants are checked.
 */
export async function runSoakLeg(
  ctx: LegContext,
  apiService: string,
  options: { rate: number; rateSource: string; seconds: number; settleTimeoutMs: number },
): Promise<SoakResult> {
  const { rate, seconds } = options;
  const byStatus: Record<string, number> = {};
  const latencies: number[] = [];
  const acceptedIds: string[] = [];
  const rss: RssSample[] = [];
  const meter = new LegMeter(ctx.stack, ctx.driverBackendPids, apiService);
  const started = performance.now();
  const sampleRss = () => {
    const total = (ctx.stack.pids().worker ?? []).reduce((sum, pid) => sum + (processMemoryMiB(pid)?.rss ?? 0), 0);
    rss.push({ atSeconds: (performance.now() - started) / 1000, rssMiB: total });
  };
  sampleRss();
  const sampler = setInterval(sampleRss, SAMPLE_EVERY_MS);

  const placeOne = async () => {
    const placed = await placeOrderAs(ctx, apiService, await newCustomer(ctx.stack.config), 'tok_visa', 60_000);
    latencies.push(placed.ms);
    const status = String(placed.status);
    // A refusal is counted with its error code ("503 overloaded"), so the table says which gate turned it away.
    const key = placed.status >= 400 && placed.code ? `${status} ${placed.code}` : status;
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if ((status === '201' || status === '202') && placed.orderId) acceptedIds.push(placed.orderId);
  };
  const inFlight: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    // Each placement at its own slot on the clock, so a late timer does not shift every later one.
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(placeOne());
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sampleRss();

  // One deadline for every wait, cleared afterwards: a pending timer per order would keep the bench alive for
  // the whole settle timeout (CANCEL_WINDOW and more) after the last order was served.
  let served = 0;
  let deadline: NodeJS.Timeout | undefined;
  const givenUp = new Promise<false>((resolve) => (deadline = setTimeout(() => resolve(false), options.settleTimeoutMs)));
  await Promise.all(
    acceptedIds.map(async (id) => {
      const reached = await Promise.race([
        ctx.follower.wait(id, 'paid').then(
          () => true,
          () => false,
        ),
        givenUp,
      ]);
      if (reached) served++;
    }),
  );
  clearTimeout(deadline);
  const { cpu } = meter.finish();
  const report = await checkInvariants({ databaseUrl: ctx.stack.options.databaseUrl, simulatorUrl: ctx.stack.simulatorUrl, temporal: ctx.temporal });
  // Orders are followed to PAID, where a long CANCEL_WINDOW keeps them: "still PAID" is where the soak leaves them,
  // not a breach. Every other invariant (stock, money, notifications, workflows) holds for them as for settled ones.
  const violations = report.violations.filter((v) => !(v.invariant === 'every order ends in a terminal state' && v.detail === 'still PAID'));

  const fifth = Math.max(1, Math.floor(rss.length / 5));
  const meanOf = (samples: RssSample[]) => samples.reduce((s, x) => s + x.rssMiB, 0) / (samples.length || 1);
  return {
    ...ctx.configuration,
    rate,
    rateSource: options.rateSource,
    seconds: elapsed,
    placements: total,
    byStatus,
    shed: Object.entries(byStatus).reduce((n, [key, count]) => (/^(503|429)\b/.test(key) ? n + count : n), 0),
    latency: summarize(latencies),
    accepted: acceptedIds.length,
    served,
    invariantViolations: violations.length,
    firstViolations: violations.slice(0, 5).map((v) => `${v.invariant} ${v.subject}: ${v.detail}`),
    cpuPerOrder: perSaga(cpu, acceptedIds.length),
    rss,
    rssPeakMiB: Math.max(...rss.map((s) => s.rssMiB)),
    rssFirstFifthMiB: meanOf(rss.slice(0, fifth)),
    rssLastFifthMiB: meanOf(rss.slice(-fifth)),
  };
}
