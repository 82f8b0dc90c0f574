import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { defaultPayloadConverter } from '@temporalio/common';
import * as pg from 'pg';
import type { Tracing } from '../../src/telemetry/tracing';
import { startTracing } from '../../src/telemetry/tracing';
import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// Production keeps one trace in ten. An order whose trace is not kept records no span anywhere (API, client,
// workflow, activities, SQL), and the saga hands the unsampled trace context on to its activities, so they do not
// start traces of their own.
describe('an order whose trace is not sampled', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    // Ratio 0: no request's trace is kept.
    tracing = startTracing({ serviceName: 'order-saga-test', exporter, loadedModules: { pg }, sampling: { name: 'parentbased_traceidratio', ratio: 0 } });
  });
  const stack = useStack({ PAYMENT_TIMEOUT: '10s', CANCEL_WINDOW: '200ms', SIM_WEBHOOK_DELAY_MS: '20' });
  afterAll(async () => {
    await tracing?.shutdown();
  });

  it('records no span, and its activities get the unsampled context of the request', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 1500 });
    exporter.reset();
    // Declined: the compensation runs as (non-local) activities, whose headers the history keeps.
    const placed = await placeOrder(stack, { by: 'admin', customer: 'cust-unsampled', product: product.id, token: 'tok_declined' });
    expect(placed.status).toBe(201);
    const traceId = placed.headers.get('trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const order = await stack.waitForOrder(placed.body.id, (o) => o.status === 'CANCELLED');
    // The order keeps the request's trace id (its record is written by an activity, in the unsampled trace's context).
    expect(order.traceId).toBe(traceId);
    await stack.temporal.workflow.getHandle(order.workflowId).result();

    const history = await stack.temporal.workflow.getHandle(order.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled.length).toBeGreaterThan(0);
    for (const event of scheduled) {
      const header = event.activityTaskScheduledEventAttributes!.header?.fields?.['_tracer-data'];
      expect(header).toBeDefined();
      const carrier = defaultPayloadConverter.fromPayload<{ traceparent: string }>(header!);
      // The request's trace, flags 00: not sampled.
      expect(carrier.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    }
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
