import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { costSetting, costSettingEnv } from '../../bench/lib/cost-settings';
import { costRows, costTable } from '../../bench/lib/cost-table';
import { parseBenchOptions, stackConfigurations, UsageError } from '../../bench/lib/options';
import { startOtlpSink } from '../../bench/lib/otlp-sink';
import type { SagaRow } from '../../bench/lib/saga-rows';
import { loadConfig } from '../../src/config';

/** The saga leg's row of one setting at C = 16 on the dev server: its runs' sagas/s and its POST p50. */
const sagaRow = (setting: string, runs: number[], p50 = 100) =>
  ({ persistence: 'dev', workers: 1, setting, concurrency: 16, oursSagasPerSecond: runs, oursPost: { p50 } }) as SagaRow;

// `npm run bench -- --compare encryption,tracing`: the stacks it asks for, what each gets, and the sink that stands in
// for a collector.
describe('bench --compare', () => {
  it('runs the saga leg on one stack per setting, the defaults once', () => {
    const o = parseBenchOptions(['--compare', 'encryption,tracing', '--workers', '1,2'], {});
    expect(o.legs).toEqual(['saga']);
    expect(stackConfigurations(o).map((c) => `${c.workers} ${c.setting}`)).toEqual([
      '1 encryption-off',
      '1 default',
      '1 tracing-on',
      '2 encryption-off',
      '2 default',
      '2 tracing-on',
    ]);
    expect(parseBenchOptions(['--compare', 'tracing', '--legs', 'saga,ceiling'], {}).legs).toEqual(['saga', 'ceiling']);
  });

  it('refuses a comparison it cannot read or whose settings --env would override', () => {
    expect(() => parseBenchOptions(['--compare', 'compression'], {})).toThrow(UsageError);
    expect(() => parseBenchOptions(['--compare', 'tracing', '--legs', 'ceiling'], {})).toThrow(/saga/);
    expect(() => parseBenchOptions(['--compare', 'encryption', '--env', 'PAYLOAD_ENCRYPTION=on'], {})).toThrow(/PAYLOAD_ENCRYPTION/);
  });

  it('gives each setting settings the services accept, tracing only where asked', () => {
    const off = loadConfig(costSettingEnv(costSetting('encryption-off')));
    expect(off.PAYLOAD_ENCRYPTION).toBe('off');
    expect(off.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const traced = loadConfig(costSettingEnv(costSetting('tracing-on'), 'http://127.0.0.1:4318'));
    expect(traced.PAYLOAD_ENCRYPTION).toBe('on');
    expect(traced.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://127.0.0.1:4318');
    expect(() => costSettingEnv(costSetting('tracing-on'))).toThrow(/OTLP endpoint/);
    expect(traced.OTEL_TRACES_SAMPLER_ARG).toBe(1);
    const sampled = loadConfig(costSettingEnv(costSetting('tracing-sampled'), 'http://127.0.0.1:4318'));
    expect([sampled.OTEL_TRACES_SAMPLER, sampled.OTEL_TRACES_SAMPLER_ARG]).toEqual(['parentbased_traceidratio', 0.1]);
  });

  it('compares each factor with its own baseline: encryption with it off, tracing with the defaults', () => {
    const rows = costRows(['encryption', 'tracing'], [sagaRow('encryption-off', [10], 100), sagaRow('default', [8], 125), sagaRow('tracing-on', [4], 250)]);
    expect(rows.map((r) => [r.factor, r.state, r.setting, r.throughputRatio, r.p50Ratio])).toEqual([
      ['encryption', 'off', 'encryption-off', 1, 1],
      ['encryption', 'on', 'default', 0.8, 1.25],
      ['tracing', 'off', 'default', 1, 1],
      ['tracing', 'on', 'tracing-on', 0.5, 2],
    ]);
  });

  it('shows how far single pairs of runs stray: each run over the baseline run of the same number', () => {
    const rows = costRows(['sampled-tracing'], [sagaRow('default', [10, 12, 8]), sagaRow('tracing-sampled', [9, 12, 8.8])]);
    expect(rows.map((r) => r.runRatios.map((x) => Number(x.toFixed(2))))).toEqual([[], [0.9, 1, 1.1]]);
    const table = costTable(rows);
    expect(table).toContain('| run by run, lowest–highest |');
    expect(table).toMatch(/sampled-tracing on \| 16 \| 9\.9 \| 100\.0 \| 0\.99 \| 0\.90–1\.10 \| 1\.00 \|/);
  });

  it('the OTLP sink counts the spans the project’s exporter sends, by service', async () => {
    const sink = await startOtlpSink();
    const provider = new BasicTracerProvider({
      resource: new Resource({ 'service.name': 'order-saga-api' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${sink.url}/v1/traces` }))],
    });
    try {
      const tracer = provider.getTracer('test');
      for (const name of ['a', 'b', 'c']) tracer.startSpan(name).end();
      await provider.forceFlush();
      const stats = sink.stats();
      expect(stats.spans).toBe(3);
      expect(stats.byService).toEqual({ 'order-saga-api': 3 });
      expect(stats.batches).toBeGreaterThanOrEqual(1);
      expect(stats.unreadable).toBe(0);
    } finally {
      await provider.shutdown();
      await sink.close();
    }
  });
});
