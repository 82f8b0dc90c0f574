import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigError, loadConfig } from '../../src/config';
import { createSampler } from '../../src/telemetry/sampler';
import type { SamplerSetting } from '../../src/telemetry/sampler-setting';
import { samplerSetting } from '../../src/telemetry/sampler-setting';

/** Starts `roots` root spans under a provider sampled by `setting`; answers how many were exported. */
function keptRoots(setting: SamplerSetting, roots: number): number {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler: createSampler(setting), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('sampler-test');
  for (let i = 0; i < roots; i++) tracer.startSpan('request', {}, ROOT_CONTEXT).end();
  return exporter.getFinishedSpans().length;
}

/** Whether a span started under a remote parent with the given sampled flag is exported. */
function keptUnderParent(setting: SamplerSetting, parentSampled: boolean): boolean {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler: createSampler(setting), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
  provider.getTracer('sampler-test').startSpan('child', {}, parent).end();
  return exporter.getFinishedSpans().length === 1;
}

describe('trace sampling (OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG)', () => {
  it('keeps every trace by default outside production, one in ten parent-based in production', () => {
    expect(samplerSetting({})).toEqual({ name: 'parentbased_always_on', ratio: 1 });
    expect(samplerSetting({ NODE_ENV: 'test' })).toEqual({ name: 'parentbased_always_on', ratio: 1 });
    expect(samplerSetting({ NODE_ENV: 'production' })).toEqual({ name: 'parentbased_traceidratio', ratio: 0.1 });
  });

  it('honours the variables as given', () => {
    expect(samplerSetting({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toEqual({ name: 'traceidratio', ratio: 0.25 });
    expect(samplerSetting({ NODE_ENV: 'production', OTEL_TRACES_SAMPLER: 'always_on' }).name).toBe('always_on');
    expect(samplerSetting({ NODE_ENV: 'production', OTEL_TRACES_SAMPLER_ARG: '0.5' })).toEqual({ name: 'parentbased_traceidratio', ratio: 0.5 });
  });

  it('refuses a bad sampler or ratio, naming the variable', () => {
    expect(() => samplerSetting({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER must be one of/);
    expect(() => samplerSetting({ OTEL_TRACES_SAMPLER_ARG: '1.5' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER_ARG: 'half' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('keeps about the given share of new traces', () => {
    // Binomial(4000, 0.1): mean 400, standard deviation 19; the bounds are more than 7 deviations away.
    const kept = keptRoots({ name: 'parentbased_traceidratio', ratio: 0.1 }, 4000);
    expect(kept).toBeGreaterThan(260);
    expect(kept).toBeLessThan(540);
    expect(keptRoots({ name: 'parentbased_always_on', ratio: 1 }, 50)).toBe(50);
    expect(keptRoots({ name: 'always_off', ratio: 1 }, 50)).toBe(0);
  });

  it('follows the caller’s decision under a parent-based sampler, so a trace is kept or dropped whole', () => {
    expect(keptUnderParent({ name: 'parentbased_traceidratio', ratio: 0 }, true)).toBe(true);
    expect(keptUnderParent({ name: 'parentbased_traceidratio', ratio: 1 }, false)).toBe(false);
    expect(keptUnderParent({ name: 'traceidratio', ratio: 1 }, false)).toBe(true);
  });
});
