import type { Context as ActivityContext } from '@temporalio/activity';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { ActivityInterceptors } from '@temporalio/worker';
import { sampledTrace } from '../../workflows/trace-header';

/**
 * A span per activity, continuing the saga's trace, for the activities of a sampled trace only. An unsampled one
 * (nine in ten in production) would record nothing, yet OpenTelemetry's interceptors would still open a span for it,
 * make its context the active one, and so have every SQL statement and HTTP call it makes open spans of their own:
 * it runs without them, with no active span, and the pg and undici instrumentations (which want a parent) stay out
 * of its way. Activities scheduled without a trace header (tracing was off where the saga started) run traced, as
 * OpenTelemetry's interceptors decide.
 */
export function sampledActivityTracing(ctx: ActivityContext): ActivityInterceptors {
  let outbound: OpenTelemetryActivityOutboundInterceptor | undefined;
  return {
    inbound: {
      execute(input, next) {
        if (!sampledTrace(input.headers)) return next(input);
        outbound = new OpenTelemetryActivityOutboundInterceptor(ctx);
        return new OpenTelemetryActivityInboundInterceptor(ctx).execute(input, next);
      },
    },
    outbound: {
      // A traced activity's log lines carry its trace_id and span_id.
      getLogAttributes: (input, next) => (outbound ? outbound.getLogAttributes(input, next) : next(input)),
    },
  };
}
