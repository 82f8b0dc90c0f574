import type { ClientOptions } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { ReplayWorkerOptions, WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { activeTracing } from '../telemetry/tracing';
import { sampledActivityTracing } from './activity-tracing';
import { temporalDataConverter } from './data-converter';
import { WORKFLOW_INTERCEPTOR_MODULES } from './workflow-interceptors';

type EncryptionConfig = Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS'> & Partial<Pick<Config, 'PAYLOAD_ENCRYPTION'>>;

/**
 * What every Temporal client of the project adds to its connection: the encrypting data converter and, when tracing
 * is on, the interceptor that opens a span per call and carries the trace to the workflow in its headers.
 * Spread into `new Client({ connection, namespace, ...temporalClientOptions(config) })`.
 */
export function temporalClientOptions(config: EncryptionConfig): Pick<ClientOptions, 'dataConverter' | 'interceptors'> {
  return {
    dataConverter: temporalDataConverter(config),
    interceptors: activeTracing() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {},
  };
}

/** The sink the bundled workflow interceptors export their spans to: the process's span processor, or nowhere. */
function workflowSpanSinks(): WorkerOptions['sinks'] {
  const tracing = activeTracing();
  if (tracing) return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  return { exporter: { export: { fn: () => undefined } } };
}

/**
 * What every worker of the project adds: the same data converter as the clients, the workflow interceptor modules
 * (used when the worker bundles workflows itself; a prebuilt bundle already contains them), the workflow-span
 * sink, and, when tracing is on, a span per activity of a sampled trace that continues the workflow's trace.
 */
export function temporalWorkerOptions(config: EncryptionConfig): Pick<WorkerOptions, 'dataConverter' | 'interceptors' | 'sinks'> {
  const traced = activeTracing() !== undefined;
  return {
    dataConverter: temporalDataConverter(config),
    interceptors: {
      workflowModules: WORKFLOW_INTERCEPTOR_MODULES,
      activity: traced ? [sampledActivityTracing] : [],
    },
    sinks: workflowSpanSinks(),
  };
}

/** For replaying histories: the codec (encrypted histories) and the sink the bundled interceptors expect. */
export function temporalReplayOptions(config: EncryptionConfig): Pick<ReplayWorkerOptions, 'dataConverter' | 'sinks'> {
  return { dataConverter: temporalDataConverter(config), sinks: workflowSpanSinks() };
}
