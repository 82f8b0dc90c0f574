import type { Config } from './config-schema';

/** One thing NODE_ENV=production refuses (src/production-rules.ts lists them): the variable, and what is wrong. */
export interface ProductionRule {
  variable: string;
  /** What is wrong with the setting, or undefined when it is fine. */
  check(config: Config): string | undefined;
}
