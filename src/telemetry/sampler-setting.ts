/** The sampler the environment asks for. No OpenTelemetry import: the configuration schema uses it in every process. */

/** The values of OpenTelemetry's standard `OTEL_TRACES_SAMPLER` variable this service honours. */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSamplerName = (typeof TRACES_SAMPLERS)[number];

/**
 * Production keeps one trace in ten unless told otherwise: recording every span costs far more throughput than a
 * sample does (bench/README.md, "What encryption and tracing cost"), and one in ten still shows every kind of request.
 */
export const PRODUCTION_SAMPLE_RATIO = 0.1;

export interface SamplerSetting {
  name: TracesSamplerName;
  /** The share of new traces kept by the `*traceidratio` samplers (0..1); ignored by the others. */
  ratio: number;
}

type SamplerEnv = Partial<Record<'NODE_ENV' | 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG', string>>;

/**
 * The sampler the environment asks for. Unset: parent-based at PRODUCTION_SAMPLE_RATIO in production, every trace
 * elsewhere (a developer wants the trace of the request they just made). Parent-based samplers follow the caller's
 * decision (an incoming `traceparent`, the client's span carried into the workflow), so a trace is kept or dropped
 * as a whole across the API, Temporal and the worker. A bad value throws an error naming the variable.
 */
export function samplerSetting(env: SamplerEnv): SamplerSetting {
  const production = env.NODE_ENV === 'production';
  const raw = env.OTEL_TRACES_SAMPLER?.trim();
  if (raw && !(TRACES_SAMPLERS as readonly string[]).includes(raw)) {
    throw new Error(`OTEL_TRACES_SAMPLER must be one of ${TRACES_SAMPLERS.join(', ')}; got "${raw}"`);
  }
  const name = (raw || (production ? 'parentbased_traceidratio' : 'parentbased_always_on')) as TracesSamplerName;
  return { name, ratio: sampleRatio(env.OTEL_TRACES_SAMPLER_ARG, production) };
}

function sampleRatio(arg: string | undefined, production: boolean): number {
  if (arg === undefined || arg.trim() === '') return production ? PRODUCTION_SAMPLE_RATIO : 1;
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1; got "${arg}"`);
  return ratio;
}
