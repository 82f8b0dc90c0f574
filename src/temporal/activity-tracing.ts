import { context } from '@opentelemetry/api';
import type { Context as ActivityContext } from '@temporalio/activity';
import { extractContextFromHeaders } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { ActivityInterceptors } from '@temporalio/worker';
import { sampledTrace } from '../../workflows/trace-header';

/**
 * A span per activity, continuing the saga's trace, for the activities of a sampled trace only. An unsampled one
 * (nine in ten in production) would record nothing, yet OpenTelemetry's interceptor would still start and end a span
 * for it: it runs in the saga's trace context as it came (the trace id stays known, for the order's `traceId` and
 * the log lines), with no span of its own, and the pg instrumentation leaves its statements alone (tracing.ts).
 * Activities scheduled without a trace header (tracing was off where the saga started) run traced, as OpenTelemetry's
 * interceptors decide.
 */
export function sampledActivityTracing(ctx: ActivityContext): ActivityInterceptors {
  return {
    inbound: {
      execute(input, next) {
        if (sampledTrace(input.headers)) return new OpenTelemetryActivityInboundInterceptor(ctx).execute(input, next);
        const unsampled = extractContextFromHeaders(input.headers);
        return unsampled ? context.with(unsampled, () => next(input)) : next(input);
      },
    },
    // Log lines carry the active trace's trace_id and span_id, sampled or not (as they always did).
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  };
}
