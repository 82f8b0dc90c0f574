import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import * as pg from 'pg';
import type { Tracing } from '../../src/telemetry/tracing';
import { startTracing } from '../../src/telemetry/tracing';
import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// One order, traced in-process: the API, the Temporal client, the workflow (spans exported from the sandbox through
// the worker's sink), its activities, their SQL and the provider's HTTP calls must form one tree.
describe('one trace per order', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    // jest loads modules without Node's require hook: pg is patched directly.
    tracing = startTracing({ serviceName: 'order-saga-test', exporter, loadedModules: { pg } });
  });
  const stack = useStack({ PAYMENT_TIMEOUT: '10s', CANCEL_WINDOW: '200ms', SIM_WEBHOOK_DELAY_MS: '20' });
  afterAll(async () => {
    await tracing?.shutdown(); // after the stack's own afterAll (hooks run in the order they are declared)
  });

  const path = (span: ReadableSpan, byId: Map<string, ReadableSpan>): string[] => {
    const names: string[] = [];
    for (let s: ReadableSpan | undefined = span; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) names.unshift(s.name);
    return names;
  };

  it('spans the HTTP request, update-with-start, the workflow, each activity and their SQL and HTTP calls', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 1500 });
    exporter.reset();
    const placed = await placeOrder(stack, { by: 'admin', customer: 'cust-trace', product: product.id });
    expect(placed.status).toBe(201);
    const traceId = placed.headers.get('trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const order = await stack.waitForOrder(placed.body.id, (o) => o.status === 'COMPLETED');
    expect(order.traceId).toBe(traceId);

    // The saga's last spans are exported once its final workflow task completes.
    let spans: ReadableSpan[] = [];
    for (let i = 0; i < 100; i++) {
      spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      if (spans.some((s) => s.name === 'RunWorkflow:orderWorkflow')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const paths = spans.map((s) => path(s, byId).join(' > '));
    const root = 'POST /orders > UpdateWithStartWorkflow:placeOrder';

    expect(paths).toContain('POST /orders');
    expect(paths).toContain(root);
    expect(paths).toContain(`${root} > RunWorkflow:orderWorkflow`);
    for (const activity of ['createOrderRecord', 'reserveOrderStock', 'requestPayment', 'commitOrderStock', 'recordOrderStatus']) {
      expect(paths).toContain(`${root} > RunWorkflow:orderWorkflow > StartActivity:${activity} > RunActivity:${activity}`);
    }
    // SQL inside the reservation, the provider's HTTP call inside the payment request.
    const under = (activity: string) => paths.filter((p) => p.startsWith(`${root} > RunWorkflow:orderWorkflow > StartActivity:${activity} > RunActivity:${activity} > `));
    expect(under('reserveOrderStock').some((p) => /> pg\.query:/.test(p))).toBe(true);
    expect(under('createOrderRecord').some((p) => /> pg\.query:/.test(p))).toBe(true);
    expect(under('requestPayment').some((p) => / > POST$/.test(p))).toBe(true);
    // Every span of the trace hangs from the request: nothing orphaned.
    expect(paths.filter((p) => !p.startsWith('POST /orders'))).toEqual([]);
    // The workflow span names the order's workflow.
    const run = spans.find((s) => s.name === 'RunWorkflow:orderWorkflow')!;
    expect(Object.values(run.attributes)).toContain(order.workflowId);
  });
});
