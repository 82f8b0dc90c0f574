import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { ceilingWorkflow, CeilingInput } from '../ceiling/workflow';
import { ceilingPaidSignal, ceilingPlaceUpdate } from '../ceiling/workflow';
import { CustomerIdKey, OrderIdKey, OrderStatusKey, OrderTotalCentsKey } from '../../workflows/search-attributes';
import type { System } from '../../devtools/launcher';
import type { CpuBreakdown } from './meter';
import { LegMeter } from './meter';
import type { PaidFollower } from './paid-follower';
import { randomOrderBody } from './products';
import type { LatencySummary } from './stats';
import { runClosedLoop, summarize } from './stats';

export interface LegResult {
  kind: 'ours' | 'ceiling';
  concurrency: number;
  orders: number;
  failed: number;
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
  products: string[];
  follower: PaidFollower;
  temporal: Client;
  /** PostgreSQL backends that belong to the driver, not to the system under test. */
  driverBackendPids: number[];
  idempotencyKeys: boolean;
  /** BENCH_CEILING_FOLDED: run the ceiling's what-if shape (see CeilingInput.foldStatusWrites). */
  foldCeilingStatusWrites: boolean;
}

async function runLeg(
  kind: LegResult['kind'],
  ctx: LegContext,
  concurrency: number,
  orders: number,
  one: (i: number) => Promise<{ placedMs: number; doneMs: number }>,
): Promise<LegResult> {
  const placement: number[] = [];
  const endToEnd: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const meter = new LegMeter(ctx.stack, ctx.driverBackendPids);
  const started = performance.now();
  await runClosedLoop(orders, concurrency, async (i) => {
    try {
      const { placedMs, doneMs } = await one(i);
      placement.push(placedMs);
      endToEnd.push(doneMs);
    } catch (err) {
      failed++;
      firstError ??= err instanceof Error ? err.message : String(err);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const { cpu, workerRssPeakMiB } = meter.finish();
  return {
    kind,
    concurrency,
    orders,
    failed,
    seconds,
    sagasPerSecond: (orders - failed) / seconds,
    placement: summarize(placement),
    endToEnd: summarize(endToEnd),
    cpu,
    workerRssPeakMiB,
    firstError,
  };
}

/** The real thing: POST /orders through the API, then follow the saga (webhook → signal → commit) to PAID. */
export function runOursLeg(ctx: LegContext, concurrency: number, orders: number): Promise<LegResult> {
  return runLeg('ours', ctx, concurrency, orders, async (i) => {
    const body = randomOrderBody(ctx.products, i);
    // Placed as support staff (the admin token names any customer), so one token serves every bench customer.
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${ctx.stack.config.ADMIN_TOKEN}` };
    if (ctx.idempotencyKeys) headers['idempotency-key'] = randomUUID();
    const t0 = performance.now();
    const res = await fetch(`${ctx.stack.apiUrl}/orders`, { method: 'POST', headers, body: JSON.stringify(body) });
    const order = (await res.json()) as { id?: string; error?: string; message?: string };
    const placedMs = performance.now() - t0;
    if (res.status !== 201 || !order.id) throw new Error(`POST /orders answered ${res.status}: ${order.error} ${order.message}`);
    await ctx.follower.wait(order.id);
    return { placedMs, doneMs: performance.now() - t0 };
  });
}

/**
 * The engine's ceiling: the no-op workflow of the same shape (bench/ceiling/workflow.ts), started the way the API starts
 * a saga (update-with-start, the same policies and search attributes), signalled as the webhook would, and followed
 * to its end (its confirmation step).
 */
export function runCeilingLeg(ctx: LegContext, concurrency: number, orders: number): Promise<LegResult> {
  return runLeg('ceiling', ctx, concurrency, orders, async () => {
    const id = randomUUID();
    const workflowId = `ceiling-${id}`;
    const input: CeilingInput = { id, cancelWindowMs: ctx.stack.config.CANCEL_WINDOW, foldStatusWrites: ctx.foldCeilingStatusWrites };
    const t0 = performance.now();
    await ctx.temporal.workflow.executeUpdateWithStart(ceilingPlaceUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation<typeof ceilingWorkflow>('ceilingWorkflow', {
        workflowId,
        taskQueue: ctx.stack.config.TEMPORAL_TASK_QUEUE,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: OrderIdKey, value: id },
          { key: CustomerIdKey, value: 'bench-customer' },
          { key: OrderStatusKey, value: 'PENDING' },
          { key: OrderTotalCentsKey, value: 0 },
        ],
        staticSummary: `Ceiling ${id.slice(0, 8)}`,
      }),
    });
    const placedMs = performance.now() - t0;
    const handle = ctx.temporal.workflow.getHandle<typeof ceilingWorkflow>(workflowId);
    await handle.signal(ceilingPaidSignal);
    await handle.result();
    return { placedMs, doneMs: performance.now() - t0 };
  });
}
