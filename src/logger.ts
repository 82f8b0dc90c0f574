import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * One JSON logger per process. On a terminal the lines are pretty-printed so `npm start` is readable;
 * anywhere else (CI, containers) they stay one JSON object per line for log shippers.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    name,
    level,
    base: { service: name },
    transport: pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } : undefined,
  });
}
