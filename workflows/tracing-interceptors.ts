import type * as OpenTelemetryWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { Headers } from '@temporalio/workflow';
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { sampledTrace, TRACE_HEADER } from './trace-header';

/**
 * OpenTelemetry's workflow modules, loaded only by a traced saga. The sandbox runs the bundle's module code again for
 * every workflow it starts, and OpenTelemetry's (api, core, sdk-trace-base, semantic conventions) is most of it: a
 * static import made every saga pay for it, traced or not.
 */
function loadOpenTelemetry(): typeof OpenTelemetryWorkflow {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred require keeps untraced sagas free of it
  return require('@temporalio/interceptors-opentelemetry/lib/workflow');
}

/**
 * OpenTelemetry inside the workflow sandbox, for the sagas that were started with a sampled trace (the starter's
 * client had tracing on and put the trace context in the start headers). A saga started without one runs with no tracing code
 * at all: tracing off costs nothing, and histories recorded before tracing existed replay exactly as they were
 * written (OpenTelemetry's interceptors add yields on such histories, which would break their replay).
 *
 * Bundled into the workflow code as a workflow interceptor module (src/temporal/workflow-interceptors.ts).
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let traced = false;
  // The starter's trace header of an unsampled saga, passed on unchanged to what the saga schedules.
  let passOn: Headers | undefined;
  const withTraceHeader = <T extends { headers: Headers }>(input: T): T => (passOn ? { ...input, headers: { ...input.headers, ...passOn } } : input);
  let otel:
    | {
        inbound: OpenTelemetryWorkflow.OpenTelemetryInboundInterceptor;
        outbound: OpenTelemetryWorkflow.OpenTelemetryOutboundInterceptor;
        internals: OpenTelemetryWorkflow.OpenTelemetryInternalsInterceptor;
      }
    | undefined;
  // Built on first use only: it sets up a tracer provider and a context manager in the sandbox.
  const tracing = () => {
    if (otel) return otel;
    const otelWorkflow = loadOpenTelemetry();
    otel = {
      inbound: new otelWorkflow.OpenTelemetryInboundInterceptor(),
      outbound: new otelWorkflow.OpenTelemetryOutboundInterceptor(),
      internals: new otelWorkflow.OpenTelemetryInternalsInterceptor(),
    };
    return otel;
  };

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      const header = input.headers[TRACE_HEADER];
      traced = header !== undefined && sampledTrace(input.headers);
      if (header !== undefined && !traced) passOn = { [TRACE_HEADER]: header };
      return traced ? tracing().inbound.execute(input, next) : next(input);
    },
    handleSignal: (input, next) => (traced ? tracing().inbound.handleSignal(input, next) : next(input)),
    handleUpdate: (input, next) => (traced ? tracing().inbound.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (traced ? tracing().inbound.validateUpdate(input, next) : next(input)),
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (traced ? tracing().outbound.scheduleActivity(input, next) : next(withTraceHeader(input))),
    scheduleLocalActivity: (input, next) => (traced ? tracing().outbound.scheduleLocalActivity(input, next) : next(withTraceHeader(input))),
    startChildWorkflowExecution: (input, next) => (traced ? tracing().outbound.startChildWorkflowExecution(input, next) : next(withTraceHeader(input))),
    continueAsNew: (input, next) => (traced ? tracing().outbound.continueAsNew(input, next) : next(withTraceHeader(input))),
    signalWorkflow: (input, next) => (traced ? tracing().outbound.signalWorkflow(input, next) : next(withTraceHeader(input))),
    // Workflow log lines of a traced saga carry its trace_id and span_id.
    getLogAttributes: (input, next) => (traced ? tracing().outbound.getLogAttributes(input, next) : next(input)),
  };
  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => (otel ? otel.internals.dispose(input, next) : next(input)),
  };
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
