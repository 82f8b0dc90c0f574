import { context, trace, TraceFlags } from '@opentelemetry/api';
import type { Context as ActivityContext } from '@temporalio/activity';
import { extractContextFromHeaders } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { ActivityInterceptors } from '@temporalio/worker';

/**
 * A span per activity, continuing the saga's trace, for the activities of a sampled trace only. An unsampled one
 * (nine in ten in production) would record nothing, yet OpenTelemetry's interceptor would still start and end a span
 * for it: it runs in the saga's trace context as it came (the trace id stays known, for the order's `traceId` and
 * the log lines), with no span of its own, and the pg instrumentation leaves its statements alone (tracing.ts).
 * Activities scheduled without a readable trace context (tracing was off where the saga started) run traced, as
 * OpenTelemetry's interceptors decide. The header is read once, by OpenTelemetry's own propagator (the workflow
 * sandbox, which loads no OpenTelemetry for an unsampled saga, reads it with workflows/trace-header.ts).
 */
export function sampledActivityTracing(ctx: ActivityContext): ActivityInterceptors {
  return {
    inbound: {
      execute(input, next) {
        const carried = extractContextFromHeaders(input.headers);
        const parent = carried && trace.getSpanContext(carried);
        if (!parent || parent.traceFlags & TraceFlags.SAMPLED) return new OpenTelemetryActivityInboundInterceptor(ctx).execute(input, next);
        return context.with(carried, () => next(input));
      },
    },
    // Log lines carry the active trace's trace_id and span_id, sampled or not (as they always did).
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  };
}
