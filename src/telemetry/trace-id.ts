import { trace } from '@opentelemetry/api';

/**
 * The trace id of the active span, when tracing is on and a span is active. Only the OpenTelemetry API: with no SDK
 * started this is a lookup that finds nothing.
 */
export function currentTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? context.traceId : undefined;
}
