import pino from 'pino';
import { currentTraceId } from './telemetry/trace-id';
import type { Logger } from 'pino';

export type { Logger };

/**
 * One JSON logger per process. On a terminal the lines are pretty-printed so `npm start` is readable;
 * anywhere else (CI, containers) they stay one JSON object per line for log shippers.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  // LOG_FORMAT=pretty|json overrides the terminal check (npm start sets pretty for the processes it pipes).
  const format = process.env.LOG_FORMAT;
  const pretty = format === 'pretty' || (format !== 'json' && process.stdout.isTTY);
  return pino({
    name,
    level,
    base: { service: name },
    // Written inside a traced request or activity, a line carries its trace id: from a log line to the trace.
    mixin: () => {
      const traceId = currentTraceId();
      return traceId ? { traceId } : {};
    },
    transport: pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } : undefined,
  });
}
