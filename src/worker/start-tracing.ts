import { startTracingFromEnv } from '../telemetry/tracing';

/** Imported first by the worker's entry point: tracing (when configured) is on before pg is loaded. */
startTracingFromEnv('order-saga-worker');
