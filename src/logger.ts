import pino from 'pino';
import { currentTraceId } from './telemetry/trace-id';
import type { Logger } from 'pino';

export type { Logger };

/**
 * Whether pino-pretty can be loaded. It is a development dependency: a production install (`npm ci --omit=dev`)
 * has none, and LOG_FORMAT=pretty then falls back to JSON instead of crashing the process.
 */
function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON lines to stdout, written asynchronously: while one write is under way the next lines queue and go out together,
 * so under load there are far fewer writes than lines (per-line synchronous writes were a tenth of the API's and the
 * worker's CPU), and when idle a line goes out at once. pino flushes the queue when the process exits; a process
 * killed outright loses what was still queued.
 */
function jsonDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

/**
 * One JSON logger per process. On a terminal the lines are pretty-printed so `npm start` is readable;
 * anywhere else (CI, containers) they stay one JSON object per line for log shippers.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  // LOG_FORMAT=pretty|json overrides the terminal check (npm start sets pretty for the processes it pipes).
  const format = process.env.LOG_FORMAT;
  const wantsPretty = format === 'pretty' || (format !== 'json' && process.stdout.isTTY);
  const pretty = wantsPretty && prettyAvailable();
  const logger = pino(
    {
      name,
      level,
      base: { service: name },
      // Written inside a traced request or activity, a line carries its trace id: from a log line to the trace.
      mixin: () => {
        const traceId = currentTraceId();
        return traceId ? { traceId } : {};
      },
      transport: pretty
        ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } }
        : undefined,
    },
    pretty ? undefined : jsonDestination(),
  );
  if (wantsPretty && !pretty && format === 'pretty')
    logger.warn('LOG_FORMAT=pretty but pino-pretty is not installed (a production install): logging JSON');
  return logger;
}
