import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { FLOOR_PLACE_PATH, floorPaidPath, payCeiling, placeCeiling, untilCeilingPaid } from '../ceiling/client';
import type { CeilingInput } from '../ceiling/workflow';
import type { System } from '../../devtools/launcher';
import { ORDER_LIMITS_OFF } from '../../devtools/limits-off';
import { exchange, sleep } from '../../chaos/lib/http';
import type { BenchCustomer } from './customers';
import { newCustomer } from './customers';
import type { CpuBreakdown } from './meter';
import { LegMeter } from './meter';
import type { StackConfiguration } from './options';
import type { OrderFollower } from './order-follower';
import { randomOrderBody } from './products';
import type { LatencySummary } from './stats';
import { runClosedLoopFor, summarize } from './stats';

/** Where it ran (StackConfiguration): the Temporal persistence mode, worker processes, history shards, --compare setting. */
export interface LegResult extends StackConfiguration {
  /** ours-webhook: ours with one endpoint subscribed to every outbound event (webhook-leg.ts). */
  /** api-floor: the ceiling placed and paid through the API floor's HTTP routes (bench/ceiling/front.ts). */
  /** ceiling-waits: the ceiling whose activities wait on PostgreSQL as often as the saga's make a round trip. */
  kind: 'ours' | 'ours-webhook' | 'ceiling' | 'api-floor' | 'ceiling-waits';
  concurrency: number;
  /** Sagas started in the run (completed + failed). */
  orders: number;
  failed: number;
  /** Placements answered 202 (PLACEMENT_DEADLINE passed before the reservation answered), followed all the same. */
  accepted202?: number;
  seconds: number;
  sagasPerSecond: number;
  /** ours: POST /orders; ceiling: executeUpdateWithStart. */
  placement: LatencySummary;
  /** From sending the placement to the saga being followed to PAID + confirmation. */
  endToEnd: LatencySummary;
  cpu: CpuBreakdown;
  workerRssPeakMiB: number;
  firstError?: string;
}

export interface LegContext {
  stack: System;
  configuration: StackConfiguration;
  products: string[];
  follower: OrderFollower;
  temporal: Client;
  /** PostgreSQL backends that belong to the driver, not to the system under test. */
  driverBackendPids: number[];
  /** The application database's backends by their connection's application_name, read now. */
  backendClients: () => Promise<Map<number, string>>;
  /**
   * How long a leg keeps measuring CPU after its last saga was followed to PAID + confirmation: the CANCEL_WINDOW and
   * a second, so that every saga's completion step (the ceiling's too) is counted in its own leg and none spills into
   * the next one.
   */
  settleMs: number;
}

/** The stack's API service that places the saga and shape legs' orders (the overload leg has an API of its own). */
export const SAGA_API = 'api';

/** The api-floor leg's service (bench/ceiling/front.ts): its CPU is that leg's API column. */
export const API_FLOOR = 'api-floor';

/**
 * The saga legs measure the saga, not admission control: their APIs never shed or answer 202 (the overload leg
 * measures those, on an API of its own with the production settings).
 */
export const SAGA_API_ENV = { ...ORDER_LIMITS_OFF, MAX_INFLIGHT_PLACEMENTS: '1000000', PLACEMENT_DEADLINE: '10m' };

/** The provider simulator sends its webhooks at once, as a provider that answers fast would. */
export const SAGA_SIMULATOR_ENV = { SIM_WEBHOOK_DELAY_MS: '0' };

async function runLeg(
  kind: LegResult['kind'],
  ctx: LegContext,
  concurrency: number,
  seconds: number,
  one: (i: number) => Promise<{ placedMs: number; doneMs: number; status?: number }>,
  apiService = SAGA_API,
): Promise<LegResult> {
  const placement: number[] = [];
  const endToEnd: number[] = [];
  let failed = 0;
  let accepted202 = 0;
  let firstError: string | undefined;
  const meter = new LegMeter(ctx.stack, ctx.driverBackendPids, apiService);
  const started = performance.now();
  await runClosedLoopFor(seconds, concurrency, async (i) => {
    try {
      const { placedMs, doneMs, status } = await one(i);
      placement.push(placedMs);
      endToEnd.push(doneMs);
      if (status === 202) accepted202++;
    } catch (err) {
      failed++;
      firstError ??= err instanceof Error ? err.message : String(err);
    }
  });
  const elapsed = (performance.now() - started) / 1000;
  await sleep(ctx.settleMs);
  const { cpu, workerRssPeakMiB } = meter.finish(await ctx.backendClients());
  const orders = placement.length + failed;
  return {
    kind,
    ...ctx.configuration,
    concurrency,
    orders,
    failed,
    ...(kind === 'ours' ? { accepted202 } : {}),
    seconds: elapsed,
    sagasPerSecond: placement.length / elapsed,
    placement: summarize(placement),
    endToEnd: summarize(endToEnd),
    cpu,
    workerRssPeakMiB,
    firstError,
  };
}

/** POST /orders as `customer` through an API service: the answer's status, order id, error code and latency. */
export async function placeOrderAs(
  ctx: LegContext,
  apiService: string,
  customer: BenchCustomer,
  token = 'tok_visa',
  timeoutMs = 120_000,
): Promise<{ status: number; orderId?: string; ms: number; code?: string; error?: string }> {
  const t0 = performance.now();
  const res = await exchange(`${ctx.stack.url(apiService)}/orders`, {
    method: 'POST',
    headers: { ...customer.headers, 'idempotency-key': randomUUID() },
    body: randomOrderBody(ctx.products, customer, token),
    timeoutMs,
  });
  const ms = performance.now() - t0;
  if (!res.ok) return { status: 0, ms, error: res.error };
  const body = res.body as { id?: string; error?: string; message?: string } | undefined;
  return { status: res.status, orderId: body?.id, ms, code: body?.error, error: body?.error ? `${body.error}: ${body.message}` : undefined };
}

/** The real thing: POST /orders, then follow the saga (webhook → signal → commit) to PAID. */
export function runOursLeg(ctx: LegContext, concurrency: number, seconds: number): Promise<LegResult> {
  return runLeg('ours', ctx, concurrency, seconds, async () => {
    const t0 = performance.now();
    const placed = await placeOrderAs(ctx, SAGA_API, await newCustomer(ctx.stack.config));
    if ((placed.status !== 201 && placed.status !== 202) || !placed.orderId) throw new Error(`POST /orders answered ${placed.status}: ${placed.error}`);
    await ctx.follower.wait(placed.orderId, 'paid');
    return { placedMs: placed.ms, doneMs: performance.now() - t0, status: placed.status };
  });
}

/** A new ceiling workflow's input, with the stack's own clocks; `waits` for the ceiling-waits leg. */
function newCeilingInput(ctx: LegContext, waits = false): CeilingInput {
  const { PAYMENT_TIMEOUT, CANCEL_WINDOW, NOTIFY_MAX_ATTEMPTS } = ctx.stack.config;
  return { id: randomUUID(), paymentTimeoutMs: PAYMENT_TIMEOUT, cancelWindowMs: CANCEL_WINDOW, notifyMaxAttempts: NOTIFY_MAX_ATTEMPTS, ...(waits ? { waits: true as const } : {}) };
}

/**
 * The engine's ceiling: the no-op workflow of the same shape (bench/ceiling/workflow.ts), started the way the API starts
 * a saga (update-with-start, the same policies and search attributes), signalled as the webhook would, and followed
 * to the same point as ours: the workflow task that handled the signal (PAID + confirmation) has completed. Like the
 * saga, it then completes once CANCEL_WINDOW has run out.
 */
export function runCeilingLeg(ctx: LegContext, concurrency: number, seconds: number, kind: 'ceiling' | 'ceiling-waits' = 'ceiling'): Promise<LegResult> {
  const { TEMPORAL_TASK_QUEUE } = ctx.stack.config;
  return runLeg(kind, ctx, concurrency, seconds, async () => {
    // ceiling-waits: the same workflow, its activities waiting on PostgreSQL as the saga's do (bench/ceiling/activities.ts).
    const input = newCeilingInput(ctx, kind === 'ceiling-waits');
    const t0 = performance.now();
    await placeCeiling(ctx.temporal, TEMPORAL_TASK_QUEUE, input);
    const placedMs = performance.now() - t0;
    await payCeiling(ctx.temporal, input.id);
    return { placedMs, doneMs: performance.now() - t0 };
  });
}

/**
 * The API's floor: the ceiling workflow placed and paid as the ceiling leg does, but through an HTTP service with the
 * API's middleware and Temporal client (bench/ceiling/front.ts) instead of from the driver, as a customer's POST and
 * the provider's webhook reach the API. That service's CPU per order is what any API on this stack pays for the two
 * requests and their two Temporal calls; the API's own CPU above it is its statements and logic.
 */
export function runApiFloorLeg(ctx: LegContext, concurrency: number, seconds: number): Promise<LegResult> {
  const front = ctx.stack.url(API_FLOOR);
  return runLeg(
    'api-floor',
    ctx,
    concurrency,
    seconds,
    async () => {
      const input = newCeilingInput(ctx);
      const t0 = performance.now();
      const placed = await exchange(`${front}${FLOOR_PLACE_PATH}`, { body: input, timeoutMs: 120_000 });
      if (!placed.ok || placed.status !== 201) throw new Error(`the API floor's placement answered ${placed.ok ? placed.status : placed.error}`);
      const placedMs = performance.now() - t0;
      const paid = await exchange(`${front}${floorPaidPath(input.id)}`, { method: 'POST', timeoutMs: 120_000 });
      if (!paid.ok || paid.status !== 200) throw new Error(`the API floor's payment answered ${paid.ok ? paid.status : paid.error}`);
      await untilCeilingPaid(ctx.temporal, input.id);
      return { placedMs, doneMs: performance.now() - t0 };
    },
    API_FLOOR,
  );
}
