/**
 * `--compare encryption,tracing,sampled-tracing,unsampled-tracing`: what payload encryption and tracing cost (every
 * trace, the production default of one in ten, and none kept). Each setting is a stack of its own (the
 * services read these settings once, at start), on the same stack kind, running the same legs; each factor is then
 * read off two of them, the factor off (the baseline) and on, everything else equal. The table: cost-table.ts.
 */
export const COST_FACTORS = ['encryption', 'tracing', 'sampled-tracing', 'unsampled-tracing'] as const;
export type CostFactor = (typeof COST_FACTORS)[number];

export interface CostSetting {
  /** Names the setting in the legs (`setting`), the tables and the logs. */
  name: string;
  encryption: boolean;
  tracing: boolean;
  /** With tracing: the share of traces kept (parent-based ratio sampler); 1 keeps every one. */
  sampleRatio?: number;
}

/** The shipped defaults: payloads encrypted, no tracing SDK loaded. */
const DEFAULTS: CostSetting = { name: 'default', encryption: true, tracing: false };
const ENCRYPTION_OFF: CostSetting = { ...DEFAULTS, name: 'encryption-off', encryption: false };
const TRACING_ON: CostSetting = { ...DEFAULTS, name: 'tracing-on', tracing: true, sampleRatio: 1 };
/** Production's default sampling (src/telemetry/sampler-setting.ts). */
const TRACING_SAMPLED: CostSetting = { ...DEFAULTS, name: 'tracing-sampled', tracing: true, sampleRatio: 0.1 };
/** Tracing on with no trace kept: what every unsampled request pays (the part of sampled-tracing that is not the sample). */
const TRACING_UNSAMPLED: CostSetting = { ...DEFAULTS, name: 'tracing-unsampled', tracing: true, sampleRatio: 0 };
const ALL = [ENCRYPTION_OFF, DEFAULTS, TRACING_UNSAMPLED, TRACING_SAMPLED, TRACING_ON];

/** Per factor: the setting with it off (the baseline) and the one with it on. */
export const COST_PAIRS: Record<CostFactor, [off: CostSetting, on: CostSetting]> = {
  encryption: [ENCRYPTION_OFF, DEFAULTS],
  tracing: [DEFAULTS, TRACING_ON],
  'sampled-tracing': [DEFAULTS, TRACING_SAMPLED],
  'unsampled-tracing': [DEFAULTS, TRACING_UNSAMPLED],
};

/** The settings a comparison needs, each once, in run order. */
export function costSettings(factors: readonly CostFactor[]): CostSetting[] {
  const wanted = new Set(factors.flatMap((f) => COST_PAIRS[f]));
  return ALL.filter((s) => wanted.has(s));
}

export const costSetting = (name: string) => ALL.find((s) => s.name === name)!;

/** The settings a comparison decides itself; `--env` must leave them alone. */
export const COMPARED_SETTINGS = ['NODE_ENV', 'PAYLOAD_ENCRYPTION', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG'] as const;

/**
 * What a setting's processes get. NODE_ENV=development for every setting: production refuses clear-text payloads,
 * and all settings must share it (it changes nothing else in the services). An empty endpoint means unset, so an
 * endpoint inherited from the shell cannot turn tracing on in a setting without it.
 */
export function costSettingEnv(setting: CostSetting, otlpEndpoint?: string): Record<(typeof COMPARED_SETTINGS)[number], string> {
  if (setting.tracing && !otlpEndpoint) throw new Error(`setting ${setting.name} traces: it needs an OTLP endpoint`);
  return {
    NODE_ENV: 'development',
    PAYLOAD_ENCRYPTION: setting.encryption ? 'on' : 'off',
    OTEL_EXPORTER_OTLP_ENDPOINT: setting.tracing ? otlpEndpoint! : '',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(setting.sampleRatio ?? 1),
  };
}
