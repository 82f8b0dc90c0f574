import type { Headers } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';

/** The header OpenTelemetry's Temporal interceptors carry the trace context in (a JSON carrier with `traceparent`). */
export const TRACE_HEADER = '_tracer-data';

/**
 * Whether the trace these headers carry is sampled (W3C `traceparent` flags, bit 0). Production samples one trace in
 * ten: an unsampled saga would record nothing, so it loads no OpenTelemetry (workflows/tracing-interceptors.ts; its
 * activities decide the same with OpenTelemetry's own propagator, src/temporal/activity-tracing.ts). A header that
 * cannot be read counts as sampled: OpenTelemetry's own code then decides, as it always did. Sandbox-safe.
 */
export function sampledTrace(headers: Headers): boolean {
  try {
    const carrier = defaultPayloadConverter.fromPayload<Record<string, unknown>>(headers[TRACE_HEADER]);
    const traceparent = typeof carrier?.traceparent === 'string' ? carrier.traceparent : undefined;
    const flags = traceparent?.split('-')[3];
    if (!flags || !/^[0-9a-f]{2}$/i.test(flags)) return true;
    return (parseInt(flags, 16) & 1) === 1;
  } catch {
    return true;
  }
}
