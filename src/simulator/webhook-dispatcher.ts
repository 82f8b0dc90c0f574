import type { Logger } from '../logger';
import { transportReason } from '../fetch-failure';
import type { KeepAliveClient } from '../keep-alive-client';
import { WEBHOOK_SIGNATURE_HEADER, signWebhookPayload } from '../wire/webhook-signature';
import type { TimerSet } from './timers';

/** What the dispatcher sends: any JSON event with an id (receivers deduplicate on it) and a type. */
export interface DispatchedEvent {
  id: string;
  type: string;
}

export interface WebhookDispatcherOptions {
  url: string;
  /** Signs every delivery (the Payment-Signature scheme of src/wire/webhook-signature.ts), one secret per receiver. */
  secret: string;
  /** Attempts per delivery, the first included; after the last failure the delivery is given up (and logged). */
  maxAttempts: number;
  /** Backoff before retry n is about retryBaseMs·2^(n-1), capped at retryMaxMs, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long one POST may take before it counts as failed. */
  requestTimeoutMs: number;
  /** Fault injection: deliver every event twice, with the same event id. */
  duplicate: boolean;
  /** Fault injection: hold events for `shuffleWindowMs`, then deliver them in random order. */
  shuffle: boolean;
  shuffleWindowMs: number;
  random: () => number;
  /** Sends the POSTs: the service's own keep-alive client (src/keep-alive-client.ts), shared by both dispatchers. */
  http: Pick<KeepAliveClient, 'send'>;
  nowSeconds: () => number;
  timers: TimerSet;
  logger: Logger;
}

/** One POST of one event, for diagnosis and for tests. */
export interface DeliveryAttempt {
  eventId: string;
  type: string;
  attempt: number;
  ok: boolean;
  status?: number;
  error?: string;
}

interface Delivery {
  event: DispatchedEvent;
  /** Serialized once, so a duplicate delivery is byte-for-byte the same event. */
  body: string;
}

const ATTEMPT_LOG_LIMIT = 1000;

/**
 * Delivers webhook events at least once: signed POSTs to the receiver, retried with exponential backoff on a
 * non-2xx answer, a timeout or a connection error, as real payment providers do. Each attempt is signed afresh,
 * so a retry after minutes still carries a timestamp inside the receiver's tolerance.
 *
 * One instance per receiver: the payment provider's events (SIM_WEBHOOK_URL, PAYMENT_WEBHOOK_SECRET) and the
 * carrier's (SIM_CARRIER_WEBHOOK_URL, CARRIER_WEBHOOK_SECRET), with the same retries and fault injection.
 */
export class WebhookDispatcher<E extends DispatchedEvent = DispatchedEvent> {
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly inFlight = new Set<AbortController>();
  private shuffleBuffer: Delivery[] = [];
  private closed = false;
  private readonly log: DeliveryAttempt[] = [];
  readonly stats = { delivered: 0, gaveUp: 0, attempts: 0 };

  private readonly url: URL;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.url = new URL(options.url);
  }

  /** Sends `event` after `delayMs` (and keeps retrying it) unless the dispatcher is closed first. */
  enqueue(event: E, delayMs: number): void {
    if (this.closed) return;
    const delivery: Delivery = { event, body: JSON.stringify(event) };
    const copies: Delivery[] = this.options.duplicate ? [delivery, delivery] : [delivery];
    this.pending += copies.length;
    this.options.timers.after(delayMs, () => this.release(copies));
  }

  /** Resolves once every enqueued delivery has either been accepted or given up (or the dispatcher closed). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The most recent attempts (bounded), oldest first. */
  attempts(): DeliveryAttempt[] {
    return [...this.log];
  }

  /** Aborts requests in flight and drops everything not yet delivered. The shared TimerSet is closed by its owner. */
  close(): void {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.shuffleBuffer = [];
    this.pending = 0;
    this.notifyIdle();
  }

  private release(deliveries: Delivery[]): void {
    if (!this.options.shuffle) {
      for (const d of deliveries) this.start(d);
      return;
    }
    // The first event into an empty buffer opens the window; everything arriving before it closes is shuffled.
    const opensWindow = this.shuffleBuffer.length === 0;
    this.shuffleBuffer.push(...deliveries);
    if (opensWindow) this.options.timers.after(this.options.shuffleWindowMs, () => this.flushShuffled());
  }

  private flushShuffled(): void {
    const batch = this.shuffleBuffer;
    this.shuffleBuffer = [];
    // Fisher–Yates; sequential sends so the shuffled order is the order the receiver sees them start.
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(this.options.random() * (i + 1));
      [batch[i], batch[j]] = [batch[j], batch[i]];
    }
    void this.startInOrder(batch);
  }

  private async startInOrder(batch: Delivery[]): Promise<void> {
    for (const d of batch) {
      if (this.closed) return;
      // Wait for the first attempt only; retries run on their own schedule.
      await this.attempt(d, 1);
    }
  }

  private start(delivery: Delivery): void {
    void this.attempt(delivery, 1);
  }

  private async attempt(delivery: Delivery, attempt: number): Promise<void> {
    if (this.closed) return;
    const { event } = delivery;
    const controller = new AbortController();
    this.inFlight.add(controller);
    let status: number | undefined;
    let error: string | undefined;
    try {
      // The answer's body does not matter: it is drained unread, and the connection kept for the next delivery.
      ({ status } = await this.options.http.send(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(this.options.secret, delivery.body, this.options.nowSeconds()),
        },
        body: delivery.body,
        timeoutMs: this.options.requestTimeoutMs,
        readBody: false,
        signal: controller.signal,
      }));
    } catch (err) {
      error = transportReason(err);
    } finally {
      this.inFlight.delete(controller);
    }
    if (this.closed) return;

    const ok = status !== undefined && status >= 200 && status < 300;
    this.record({ eventId: event.id, type: event.type, attempt, ok, status, error });
    const logFields = { eventId: event.id, type: event.type, attempt, status, error };
    if (ok) {
      this.stats.delivered++;
      this.options.logger.debug(logFields, 'webhook delivered');
      this.finish();
    } else if (attempt < this.options.maxAttempts) {
      const delay = this.backoffMs(attempt);
      this.options.logger.info({ ...logFields, retryInMs: delay }, 'webhook delivery failed, will retry');
      this.options.timers.after(delay, () => void this.attempt(delivery, attempt + 1));
    } else {
      this.stats.gaveUp++;
      this.options.logger.error(logFields, 'webhook delivery failed on its last attempt, giving up');
      this.finish();
    }
  }

  private backoffMs(failedAttempt: number): number {
    const exponential = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (failedAttempt - 1));
    // "Equal jitter": at least half the backoff, so retries of many events do not all land at once.
    return Math.round(exponential / 2 + (this.options.random() * exponential) / 2);
  }

  private record(attempt: DeliveryAttempt): void {
    this.stats.attempts++;
    this.log.push(attempt);
    if (this.log.length > ATTEMPT_LOG_LIMIT) this.log.shift();
  }

  private finish(): void {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
