import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { sqlWithoutLiterals } from './sql-statement';

/**
 * OpenTelemetry tracing for one process. Off unless started: without OTEL_EXPORTER_OTLP_ENDPOINT no SDK is loaded
 * into the trace API, every span is the API's no-op span, and the Temporal clients and workers get no tracing
 * interceptors (see src/temporal/options.ts), so tracing costs nothing.
 *
 * Started, it traces: the API's HTTP requests (src/api/trace-context.ts), every Temporal client call and workflow,
 * update and activity (@temporalio/interceptors-opentelemetry), PostgreSQL queries (pg) and outgoing HTTP calls
 * (fetch, i.e. undici: the payment provider and the notifier), all in one trace per request.
 */
export interface Tracing {
  serviceName: string;
  resource: Resource;
  /** Also handed to the worker's workflow-span sink, so spans made inside the workflow sandbox are exported too. */
  spanProcessor: SpanProcessor;
  provider: NodeTracerProvider;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/** The process's tracing, when it was started. */
export function activeTracing(): Tracing | undefined {
  return current;
}

export interface StartTracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (the exporter appends /v1/traces); ignored when `exporter` is given. */
  endpoint?: string;
  /** Tests pass an in-memory exporter; spans are then handed over one by one, as they end. */
  exporter?: SpanExporter;
  /**
   * Modules already loaded without Node's require hook (jest's module registry): patched directly. In a normal
   * process tracing starts before anything requires pg, and the hook patches it.
   */
  loadedModules?: { pg?: unknown };
}

/** Starts the SDK once per process and registers it as the global tracer provider. */
export function startTracing(options: StartTracingOptions): Tracing {
  if (current) throw new Error('tracing is already started in this process');
  const resource = new Resource({ 'service.name': options.serviceName });
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register(); // AsyncLocalStorage context, W3C trace-context propagation
  const pg = new PgInstrumentation({
    requireParentSpan: true,
    // The statement without its inlined values: they may be personal data (see sqlWithoutLiterals).
    requestHook: (span, { query }) => span.setAttribute('db.statement', sqlWithoutLiterals(query.text)),
  });
  const unregister = registerInstrumentations({ instrumentations: [pg, new UndiciInstrumentation({ requireParentforSpans: true })] });
  if (options.loadedModules?.pg) {
    for (const definition of pg.getModuleDefinitions()) {
      if (definition.name === 'pg') definition.patch?.(options.loadedModules.pg);
    }
  }
  current = {
    serviceName: options.serviceName,
    resource,
    spanProcessor,
    provider,
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      current = undefined;
    },
  };
  return current;
}

/**
 * For entry points: starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, named OTEL_SERVICE_NAME or
 * `defaultServiceName`. Read straight from the environment because it must run before anything loads pg (the
 * config module is validated right after, and rejects a malformed endpoint).
 */
export function startTracingFromEnv(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  return startTracing({ serviceName: env.OTEL_SERVICE_NAME || defaultServiceName, endpoint });
}
