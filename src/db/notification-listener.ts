import { Client } from 'pg';

/** Whether the listener is subscribed: only then does every change reach it. */
export type ListenerState = 'listening' | 'down' | 'closed';

export interface NotificationListenerOptions {
  databaseUrl: string;
  channel: string;
  onNotification: (payload: string) => void;
  /** Called on every change of state; `down` means notifications may be missed until the next `listening`. */
  onState: (state: ListenerState) => void;
  /** Named in pg_stat_activity. */
  applicationName?: string;
  /** Wait before reconnecting: doubles from minMs up to maxMs while the database does not answer. */
  retry?: { minMs: number; maxMs: number };
  onError?: (err: unknown) => void;
}

export interface NotificationListener {
  readonly state: ListenerState;
  /** The listening connection's server process id (pg_terminate_backend ends it), while listening. */
  readonly backendPid: number | undefined;
  /** Resolves once listening for the first time (or closed). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * LISTENs on one channel over a connection of its own (a pooled connection cannot keep a LISTEN), and reconnects
 * with backoff when the connection is lost. PostgreSQL does not queue notifications for a listener that is gone,
 * so `onState('down')` tells the owner that from now on it may miss some, until `listening` again.
 */
export function listenForNotifications(options: NotificationListenerOptions): NotificationListener {
  const { minMs, maxMs } = options.retry ?? { minMs: 100, maxMs: 5_000 };
  let state: ListenerState = 'down';
  let client: Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = minMs;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const setState = (next: ListenerState) => {
    if (state === next || state === 'closed') return;
    state = next;
    options.onState(next);
  };

  const lost = (current: Client, err?: unknown) => {
    if (client !== current) return; // an earlier connection's late event
    client = undefined;
    if (err) options.onError?.(err);
    current.removeAllListeners('notification');
    current.end().catch(() => undefined);
    if (state === 'closed') return;
    setState('down');
    retryTimer = setTimeout(connect, delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, maxMs);
  };

  async function connect(): Promise<void> {
    retryTimer = undefined;
    if (state === 'closed') return;
    const current = new Client({ connectionString: options.databaseUrl, application_name: options.applicationName, keepAlive: true });
    client = current;
    current.on('error', (err) => lost(current, err));
    current.on('end', () => lost(current));
    current.on('notification', (message) => options.onNotification(message.payload ?? ''));
    try {
      await current.connect();
      await current.query(`LISTEN "${options.channel.replace(/"/g, '""')}"`);
    } catch (err) {
      lost(current, err);
      return;
    }
    if (client !== current || (state as ListenerState) === 'closed') return;
    delay = minMs;
    setState('listening');
    markReady();
  }

  void connect();
  return {
    get state() {
      return state;
    },
    get backendPid() {
      return state === 'listening' ? (client as unknown as { processID?: number } | undefined)?.processID : undefined;
    },
    ready,
    async close() {
      setState('closed');
      markReady();
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
