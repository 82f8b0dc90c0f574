import { startTracingFromEnv } from '../telemetry/tracing';

/** Imported first by the API's entry point: tracing (when configured) is on before pg is loaded. */
startTracingFromEnv('order-saga-api');
