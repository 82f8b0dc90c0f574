import type { Client } from '@temporalio/client';
import { exchange } from '../../chaos/lib/http';
import { orderWorkflowId } from '../../workflows/order/definitions';
import { newCustomer } from './customers';
import type { LegContext } from './legs';
import { placeOrderAs, SAGA_API } from './legs';
import type { CpuBreakdown } from './meter';
import { LegMeter, perSaga } from './meter';
import { mean, runClosedLoop } from './stats';
import type { StackConfiguration } from './options';

/** temporal.api.enums.v1.EventType values (the client's histories carry them as numbers). */
const EventType = { WORKFLOW_TASK_COMPLETED: 7, ACTIVITY_TASK_SCHEDULED: 10, MARKER_RECORDED: 25 } as const;
type HistoryEvent = { eventType?: number | null; markerRecordedEventAttributes?: { markerName?: string | null } | null };

/** The saga kinds the shape leg drives, each to its own end. */
export const SAGA_KINDS = ['paid', 'declined', 'timeout', 'cancelled', 'refunded'] as const;
export type SagaKind = (typeof SAGA_KINDS)[number];

/** How each kind is made: the payment token, what the customer does, and the status the order must end in. */
const KIND_PLAN: Record<SagaKind, { token: string; final: string; action?: 'cancel' | 'cancel-after-paid' }> = {
  paid: { token: 'tok_visa', final: 'COMPLETED' }, // paid, then the cancellation window runs out
  declined: { token: 'tok_declined', final: 'CANCELLED' },
  timeout: { token: 'tok_no_webhook', final: 'CANCELLED' }, // no webhook: PAYMENT_TIMEOUT runs out
  cancelled: { token: 'tok_no_webhook', final: 'CANCELLED', action: 'cancel' }, // cancelled before any payment outcome
  refunded: { token: 'tok_visa', final: 'REFUNDED', action: 'cancel-after-paid' }, // cancelled within CANCEL_WINDOW
};

/** What one workflow history holds. */
export interface HistoryShape {
  events: number;
  /** WorkflowTaskCompleted events: each one a round trip server → worker → server. */
  workflowTasks: number;
  /** ActivityTaskScheduled events. */
  activityTasks: number;
  /** MarkerRecorded events of local activities (`core_local_activity`). */
  localActivities: number;
  /** Every other marker (patch markers, …). */
  otherMarkers: number;
}

export interface ShapeResult extends StackConfiguration {
  sagaKind: SagaKind;
  /** Sagas placed; `completed` of them closed with the kind's final status, and their histories were read. */
  sagas: number;
  completed: number;
  finalStatus: string;
  seconds: number;
  /** Mean over the histories read, and the smallest and largest event count (a kind's sagas may differ slightly). */
  history: HistoryShape & { eventsMin: number; eventsMax: number };
  /** CPU-seconds per saga, from the first placement until the last workflow closed. */
  cpuPerSaga: CpuBreakdown;
  firstError?: string;
}

/** Counts what a workflow history holds. */
export function historyShape(events: readonly HistoryEvent[]): HistoryShape {
  const shape: HistoryShape = { events: events.length, workflowTasks: 0, activityTasks: 0, localActivities: 0, otherMarkers: 0 };
  for (const e of events) {
    if (e.eventType === EventType.WORKFLOW_TASK_COMPLETED) shape.workflowTasks++;
    else if (e.eventType === EventType.ACTIVITY_TASK_SCHEDULED) shape.activityTasks++;
    else if (e.eventType === EventType.MARKER_RECORDED) {
      if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') shape.localActivities++;
      else shape.otherMarkers++;
    }
  }
  return shape;
}

async function readShape(client: Client, workflowId: string): Promise<HistoryShape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return historyShape((history.events ?? []) as HistoryEvent[]);
}

/** How many sagas of a kind run at once: enough to overlap the waits, few enough to stay far from saturation. */
const SHAPE_CONCURRENCY = 8;

/**
 * One saga kind, `sagas` times through POST /orders: each order placed, the customer's action taken, and the
 * workflow followed until it closes; then the histories are read (outside the CPU measurement).
 */
export async function runShapeLeg(ctx: LegContext, kind: SagaKind, sagas: number): Promise<ShapeResult> {
  const plan = KIND_PLAN[kind];
  const workflowIds: string[] = [];
  const closing: Promise<unknown>[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const fail = (err: unknown) => {
    failed++;
    firstError ??= err instanceof Error ? err.message : String(err);
  };
  const meter = new LegMeter(ctx.stack, ctx.driverBackendPids, SAGA_API);
  const started = performance.now();
  await runClosedLoop(sagas, SHAPE_CONCURRENCY, async () => {
    try {
      const customer = await newCustomer(ctx.stack.config);
      const placed = await placeOrderAs(ctx, SAGA_API, customer, plan.token);
      if ((placed.status !== 201 && placed.status !== 202) || !placed.orderId) throw new Error(`POST /orders answered ${placed.status}: ${placed.error}`);
      const { orderId } = placed;
      if (plan.action === 'cancel-after-paid') await ctx.follower.wait(orderId, 'paid');
      if (plan.action) {
        const res = await exchange(`${ctx.stack.url(SAGA_API)}/orders/${orderId}/cancel`, { method: 'POST', headers: customer.headers, body: {}, timeoutMs: 120_000 });
        if (!res.ok || res.status !== 200) throw new Error(`cancel answered ${res.ok ? `${res.status} ${JSON.stringify(res.body)}` : res.error}`);
      }
      const workflowId = orderWorkflowId(orderId);
      // The slot is free once the customer is done; the saga goes on (the timeout and the window are waited out together).
      closing.push(
        ctx.temporal.workflow
          .getHandle(workflowId)
          .result()
          .then((state: { status?: string }) => {
            if (state?.status !== plan.final) throw new Error(`order ${orderId} ended ${state?.status}, not ${plan.final}`);
            workflowIds.push(workflowId);
          })
          .catch(fail),
      );
    } catch (err) {
      fail(err);
    }
  });
  await Promise.all(closing);
  const seconds = (performance.now() - started) / 1000;
  const { cpu } = meter.finish();
  const shapes = await Promise.all(workflowIds.map((id) => readShape(ctx.temporal, id)));
  const avg = (key: keyof HistoryShape) => mean(shapes.map((s) => s[key]));
  return {
    ...ctx.configuration,
    sagaKind: kind,
    sagas,
    completed: workflowIds.length,
    finalStatus: plan.final,
    seconds,
    history: {
      events: avg('events'),
      workflowTasks: avg('workflowTasks'),
      activityTasks: avg('activityTasks'),
      localActivities: avg('localActivities'),
      otherMarkers: avg('otherMarkers'),
      eventsMin: Math.min(...shapes.map((s) => s.events)),
      eventsMax: Math.max(...shapes.map((s) => s.events)),
    },
    cpuPerSaga: perSaga(cpu, workflowIds.length),
    firstError: failed ? `${failed} failed; first: ${firstError}` : undefined,
  };
}
