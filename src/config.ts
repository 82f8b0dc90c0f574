import type { z } from 'zod';
import type { Config } from './config-schema';
import { configSchema } from './config-schema';
import { DEVELOPMENT_AUTH_JWT_SECRET, DEVELOPMENT_STRIPE_WEBHOOK_SECRET } from './development-defaults';
import { productionProblems } from './production-rules';

// The settings' schema and type live below the production rules (which read them); this module, which applies the
// rules, is where every process loads its configuration from.
export type { Config } from './config-schema';
export { configSchema, parseDuration } from './config-schema';

export class ConfigError extends Error {
  constructor(
    readonly issues: { variable: string; message: string }[],
    title = 'Invalid configuration:',
  ) {
    super(title + '\n' + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * Environment variables through a schema; throws a ConfigError naming every bad variable. An empty string means
 * "unset", so that `FOO= npm start` falls back to the default.
 */
export function parseEnv<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.output<Schema> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })));
  }
  return result.data;
}

/**
 * Parses the environment once; throws a ConfigError naming every bad variable. With NODE_ENV=production it also
 * refuses every setting src/production-rules.ts lists as unsafe (development secrets, no token verification).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = parseEnv(configSchema, env);
  if (config.NODE_ENV === 'production') {
    const problems = productionProblems(config);
    if (problems.length > 0) throw new ConfigError(problems, 'Unsafe settings for NODE_ENV=production:');
    return config;
  }
  // Locally, customer tokens and Stripe's test webhooks work out of the box (`npm run token`, `stripe listen`);
  // production has no such fallback: a shipped secret is public.
  return {
    ...config,
    AUTH_JWT_SECRET: config.AUTH_JWT_SECRET ?? DEVELOPMENT_AUTH_JWT_SECRET,
    STRIPE_WEBHOOK_SECRET: config.STRIPE_WEBHOOK_SECRET ?? DEVELOPMENT_STRIPE_WEBHOOK_SECRET,
  };
}

/** For entry points: parse or print the problem and exit non-zero, without a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(1);
    }
    throw err;
  }
}
