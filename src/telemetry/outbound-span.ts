import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * A CLIENT span around one outbound HTTP request of a recorded trace, named and attributed as OpenTelemetry's HTTP
 * conventions (and its fetch instrumentation before) name it — `POST`, `http.request.method`, `url.full`,
 * `server.address`, `http.response.status_code` — with the trace context sent along in `traceparent`. Outside a
 * recorded trace (no tracing, or nine unsampled traces in ten) the request is sent as it is, at no cost.
 * The URLs are the service's own provider paths: ids, never personal data.
 */
export async function tracedOutbound<T extends { status: number }>(
  url: URL,
  request: { method: string; headers: Record<string, string> },
  send: () => Promise<T>,
): Promise<T> {
  if (!trace.getActiveSpan()?.isRecording()) return send();
  const span = trace.getTracer('order-saga-http').startSpan(request.method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': request.method,
      'url.full': url.href,
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    },
  });
  propagation.inject(trace.setSpan(context.active(), span), request.headers);
  try {
    const answer = await send();
    span.setAttribute('http.response.status_code', answer.status);
    if (answer.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    return answer;
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
