import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createSampler } from './sampler';
import type { SamplerSetting } from './sampler-setting';
import { samplerSetting } from './sampler-setting';
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
  /** Which traces are kept (OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG). */
  sampling: SamplerSetting;
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
  /** Which traces to keep; default: every one (the entry points pass what the environment asks for). */
  sampling?: SamplerSetting;
}

/**
 * pg's instrumentation for the statements of recorded traces only. Its `requireParentSpan` skips a statement with no
 * active span, but an unsampled trace (nine in ten in production) has one that records nothing, and the
 * instrumentation would still build a span, attributes, wrapped callbacks and a duration metric for each statement:
 * it showed as the API's largest tracing cost. Its query patch is given a way around itself when the active span does
 * not record. (`_getClientQueryPatch` is the instrumentation's own hook for pg.Client#query, called once when pg is
 * patched; test/tracing/span-tree.test.ts shows the statements of a recorded trace still traced.)
 */
function recordedOnly(instrumentation: PgInstrumentation): PgInstrumentation {
  type QueryFn = (this: unknown, ...args: unknown[]) => unknown;
  const patches = instrumentation as unknown as { _getClientQueryPatch(): (original: QueryFn) => QueryFn };
  const tracedPatch = patches._getClientQueryPatch.bind(instrumentation);
  patches._getClientQueryPatch = () => (original) => {
    const traced = tracedPatch()(original);
    return function query(this: unknown, ...args: unknown[]) {
      return trace.getActiveSpan()?.isRecording() ? traced.apply(this, args) : original.apply(this, args);
    };
  };
  return instrumentation;
}

/** Starts the SDK once per process and registers it as the global tracer provider. */
export function startTracing(options: StartTracingOptions): Tracing {
  if (current) throw new Error('tracing is already started in this process');
  const resource = new Resource({ 'service.name': options.serviceName });
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const sampling = options.sampling ?? { name: 'parentbased_always_on', ratio: 1 };
  // Given explicitly: the SDK would otherwise read OTEL_TRACES_SAMPLER itself, and fall back silently on a bad value.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor], sampler: createSampler(sampling) });
  provider.register(); // AsyncLocalStorage context, W3C trace-context propagation
  const pg = recordedOnly(
    new PgInstrumentation({
      requireParentSpan: true,
      // The statement without its inlined values: they may be personal data (see sqlWithoutLiterals).
      requestHook: (span, { query }) => span.setAttribute('db.statement', sqlWithoutLiterals(query.text)),
    }),
  );
  const unregister = registerInstrumentations({ instrumentations: [pg, new UndiciInstrumentation({ requireParentforSpans: true })] });
  if (options.loadedModules?.pg) {
    for (const definition of pg.getModuleDefinitions()) {
      if (definition.name === 'pg') definition.patch?.(options.loadedModules.pg);
    }
  }
  current = {
    serviceName: options.serviceName,
    resource,
    sampling,
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
 * `defaultServiceName`, sampled as OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG say (sampler.ts: 10% by default in
 * production). Read straight from the environment because it must run before anything loads pg (the config module
 * is validated right after, and rejects a malformed endpoint or sampler with the variable's name).
 */
export function startTracingFromEnv(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  let sampling: SamplerSetting;
  try {
    sampling = samplerSetting(env);
  } catch {
    return undefined; // the configuration check that follows refuses to start, naming the variable
  }
  return startTracing({ serviceName: env.OTEL_SERVICE_NAME || defaultServiceName, endpoint, sampling });
}
