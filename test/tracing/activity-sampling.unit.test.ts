import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Headers } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sampledActivityTracing } from '../../src/temporal/activity-tracing';
import type { Tracing } from '../../src/telemetry/tracing';
import { startTracing } from '../../src/telemetry/tracing';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const header = (flags: string): Headers => ({ '_tracer-data': defaultPayloadConverter.toPayload({ traceparent: `00-${traceId}-00f067aa0ba902b7-${flags}` }) });

// An activity of a sampled saga runs in a span of the saga's trace; one of an unsampled saga runs in the saga's
// unsampled context with no span of its own (its trace id known, nothing recorded).
describe('activity spans follow the saga trace’s sampling', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = startTracing({ serviceName: 'activity-sampling-test', exporter });
  });
  afterAll(async () => {
    await tracing.shutdown();
  });
  beforeEach(() => exporter.reset());

  /** Runs one activity through the interceptors; what it saw inside: the active span and its log attributes. */
  async function runActivity(headers: Headers) {
    const { context } = new MockActivityEnvironment({ activityType: 'reserveStock' });
    const { inbound, outbound } = sampledActivityTracing(context);
    let seen: { traceId?: string; recording?: boolean; log: Record<string, unknown> } | undefined;
    const result = await inbound!.execute!({ args: [], headers }, async () => {
      const span = trace.getActiveSpan();
      seen = { traceId: span?.spanContext().traceId, recording: span?.isRecording(), log: outbound!.getLogAttributes!({ orderId: 'o-1' }, (attrs) => attrs) };
      return 'done';
    });
    expect(result).toBe('done');
    return seen!;
  }

  it('a sampled trace: a recorded span of that trace, and the log lines carry its ids', async () => {
    const seen = await runActivity(header('01'));
    expect(seen.traceId).toBe(traceId);
    expect(seen.recording).toBe(true);
    expect(seen.log).toMatchObject({ orderId: 'o-1', trace_id: traceId, trace_flags: '01' });
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.spanContext().traceId])).toEqual([['RunActivity:reserveStock', traceId]]);
  });

  it('an unsampled trace: its context, not recording (so SQL opens no span), nothing exported, the ids still logged', async () => {
    const seen = await runActivity(header('00'));
    expect(seen.traceId).toBe(traceId);
    expect(seen.recording).toBe(false);
    expect(seen.log).toMatchObject({ orderId: 'o-1', trace_id: traceId, trace_flags: '00' });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('no trace header (tracing was off where the saga started): a trace of its own, as OpenTelemetry decides', async () => {
    const seen = await runActivity({});
    expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.traceId).not.toBe(traceId);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});
