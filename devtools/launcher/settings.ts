import { z } from 'zod';
import { parseEnv } from '../../src/config';
import { clusterSettingsSchema } from '../temporal-cluster';
import { TEMPORAL_MODES } from './temporal';

const count = z.coerce.number().int().min(1).max(16).default(1);

/**
 * The launcher's own settings (npm start, npm run chaos, npm run bench): how the system is run on this machine.
 * The services never read them; `.env.example` documents them beside the services' settings.
 */
export const launcherSettingsSchema = z.object({
  /** Which Temporal runs under the system (see TEMPORAL_MODES). */
  TEMPORAL_PERSISTENCE: z.enum(Object.keys(TEMPORAL_MODES) as [keyof typeof TEMPORAL_MODES]).default('dev'),
  /** Worker processes; the second one's ports follow the first's (WORKER_METRICS_PORT + 2, …). */
  WORKERS: count,
  /** API processes, on PORT, PORT + 1, …; they share Temporal and PostgreSQL. */
  API_INSTANCES: count,
  /**
   * A folder for V8 CPU profiles: every service runs with `--cpu-prof` and writes `<pid>.cpuprofile` there when it
   * stops (`npm run profile:summary -- <folder>` reads them). Unset: no profiling.
   */
  NODE_CPU_PROFILE_DIR: z.string().min(1).optional(),
  /** TEMPORAL_PERSISTENCE=postgres: shards, database and the Web UI's codec server. */
  ...clusterSettingsSchema.shape,
});

export type LauncherSettings = z.infer<typeof launcherSettingsSchema>;

export function loadLauncherSettings(env: NodeJS.ProcessEnv = process.env): LauncherSettings {
  return parseEnv(launcherSettingsSchema, env);
}
