import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import { activeTracing } from '../telemetry/tracing';
import { matchedRoute } from './request-telemetry';

export const TRACE_ID_HEADER = 'Trace-Id';

/**
 * One SERVER span per request, continuing the caller's trace when it sends `traceparent`. Everything the request
 * does runs in it: the Temporal client's spans (update-with-start), and from there the workflow and its activities,
 * so one trace covers the order from the HTTP request to the SQL. The trace id goes back in `Trace-Id`, and every
 * log line written meanwhile carries it (src/logger.ts). Without tracing this middleware does nothing.
 *
 * Mount it outside the access log and the error middleware: the span then covers them and sees the final status.
 */
export function traceContext(): Middleware {
  return async (ctx, next) => {
    if (!activeTracing()) return next();
    const parent = propagation.extract(context.active(), ctx.headers);
    const span = trace.getTracer('order-saga-api').startSpan(
      ctx.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method, 'url.path': ctx.path } },
      parent,
    );
    ctx.set(TRACE_ID_HEADER, span.spanContext().traceId);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = matchedRoute(ctx);
      span.updateName(`${ctx.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': ctx.status });
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
