import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { transportReason } from '../fetch-failure';
import type { Logger } from '../logger';
import type { WebhookMetrics } from '../metrics/webhook-metrics';
import { standardWebhookHeaders } from '../wire/standard-webhooks';
import { disableGoneEndpoint, signingSecrets } from './endpoint-store';
import { eventBody } from './event-payload';
import type { Attempt, ClaimedMessage } from './message-store';
import { claimDueMessages, orderHistories, pruneDelivered, recordAttempt } from './message-store';
import { checkWebhookUrl } from './url-guard';

export type RelayConfig = Pick<
  Config,
  | 'NODE_ENV'
  | 'PAYLOAD_ENCRYPTION_KEYS'
  | 'TEMPORAL_UI_URL'
  | 'TEMPORAL_NAMESPACE'
  | 'WEBHOOK_RETRY_SCHEDULE'
  | 'WEBHOOK_ALLOW_PRIVATE'
  | 'WEBHOOK_MESSAGE_RETENTION'
  | 'WEBHOOK_TIMEOUT'
  | 'WEBHOOK_RELAY_POLL_INTERVAL'
  | 'WEBHOOK_RELAY_CONCURRENCY'
>;

export interface RelayDeps {
  orm: Orm;
  config: RelayConfig;
  logger: Logger;
  metrics: WebhookMetrics;
  fetch?: typeof fetch;
}

export interface Relay {
  /** One round: claims the due messages (a batch) and delivers them; how many it claimed. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the deliveries in flight to be recorded. */
  stop(): Promise<void>;
}

/** How often delivered messages past WEBHOOK_MESSAGE_RETENTION are pruned. */
const PRUNE_EVERY_MS = 60_000;
/** The lease outlasts an attempt by this much, so a live relay always records its own attempt. */
const LEASE_MARGIN_MS = 10_000;

/**
 * The outbox relay: delivers webhook messages to subscribers, as Standard Webhooks, from any number of processes
 * (each worker runs one). Deliveries happen outside any transaction; see claimDueMessages for how relays share work
 * and keep each order's events in order per endpoint.
 */
export function startRelay(deps: RelayDeps): Relay {
  const { orm, config, logger, metrics } = deps;
  const send = deps.fetch ?? fetch;
  const batch = config.WEBHOOK_RELAY_CONCURRENCY * 2;
  const limit = pLimit(config.WEBHOOK_RELAY_CONCURRENCY);
  const schedule = config.WEBHOOK_RETRY_SCHEDULE;
  const production = config.NODE_ENV === 'production';

  async function attempt(message: ClaimedMessage, body: string): Promise<{ attempt: Attempt; outcome: string }> {
    const at = new Date();
    const started = performance.now();
    const done = (statusCode: number | null, outcome: string, error?: string) => {
      const durationMs = Math.round(performance.now() - started);
      metrics.attempts.inc({ outcome });
      metrics.attemptDuration.observe(durationMs / 1000);
      return { attempt: { at: at.toISOString(), statusCode, durationMs, ...(error ? { error } : {}) }, outcome };
    };
    try {
      // Checked again at each delivery: the name may point elsewhere now than when the endpoint was saved.
      if (production) await checkWebhookUrl(message.url, { production, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
    } catch (err) {
      return done(null, 'refused_address', (err as Error).message);
    }
    try {
      const secrets = signingSecrets(message, config.PAYLOAD_ENCRYPTION_KEYS, at);
      const res = await send(message.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'order-saga-webhooks/1',
          ...standardWebhookHeaders(secrets, `msg_${message.event_uuid}`, Math.floor(at.getTime() / 1000), body),
        },
        body,
        redirect: 'manual', // a redirect is not a delivery, and following one could lead inside the network
        signal: AbortSignal.timeout(config.WEBHOOK_TIMEOUT),
      });
      await res.body?.cancel().catch(() => undefined);
      const outcome = res.status === 410 ? '410' : `${Math.floor(res.status / 100)}xx`;
      return done(res.status, outcome);
    } catch (err) {
      const timedOut = (err as { name?: string }).name === 'TimeoutError';
      return done(null, timedOut ? 'timeout' : 'error', timedOut ? `no answer within ${config.WEBHOOK_TIMEOUT} ms` : transportReason(err));
    }
  }

  async function deliver(message: ClaimedMessage, body: string): Promise<void> {
    if (message.attempt_count === 0) metrics.lag.observe(Math.max(0, Date.now() - new Date(message.occurred_at).getTime()) / 1000);
    const { attempt: result, outcome } = await attempt(message, body);
    const em = orm.em.fork();
    if (outcome === '2xx') {
      await recordAttempt(em, message.id, result, { status: 'delivered' });
      metrics.messages.inc({ result: 'delivered' });
      return;
    }
    if (outcome === '410') {
      await recordAttempt(em, message.id, result, { status: 'failed' });
      await disableGoneEndpoint(em, message.endpoint_id);
      metrics.messages.inc({ result: 'failed' });
      logger.warn({ endpointId: message.endpoint_id, messageId: message.id }, 'webhook endpoint answered 410 Gone: disabled');
      return;
    }
    const attemptsMade = message.attempt_count + 1;
    if (attemptsMade > schedule.length) {
      await recordAttempt(em, message.id, result, { status: 'failed' });
      metrics.messages.inc({ result: 'failed' });
      logger.warn({ endpointId: message.endpoint_id, messageId: message.id, attempts: attemptsMade, statusCode: result.statusCode }, 'webhook message failed after its last attempt');
      return;
    }
    await recordAttempt(em, message.id, result, { status: 'pending', retryInMs: schedule[attemptsMade - 1] });
  }

  async function runOnce(): Promise<number> {
    const em = orm.em.fork();
    const claimed = await claimDueMessages(em, batch, config.WEBHOOK_TIMEOUT + LEASE_MARGIN_MS);
    if (claimed.length === 0) return 0;
    const histories = await orderHistories(em, [...new Set(claimed.map((m) => m.order_id))]);
    await Promise.all(
      claimed.map((message) =>
        limit(async () => {
          const body = eventBody(
            { type: message.type, occurredAt: message.occurred_at, snapshot: message.order_snapshot, seq: message.order_seq, data: message.data },
            histories.get(message.order_id) ?? [],
            config,
          );
          await deliver(message, body).catch((err) =>
            // Not recorded (the database went away): the lease runs out and the message is claimed again.
            logger.error({ err, messageId: message.id }, 'recording a webhook attempt failed'),
          );
        }),
      ),
    );
    return claimed.length;
  }

  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    let lastPrune = 0;
    while (!stopped) {
      try {
        if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
          lastPrune = Date.now();
          const pruned = await pruneDelivered(orm.em.fork(), config.WEBHOOK_MESSAGE_RETENTION);
          if (pruned.messages + pruned.events > 0) logger.info(pruned, 'pruned delivered webhook messages past WEBHOOK_MESSAGE_RETENTION');
        }
        const claimed = await runOnce();
        if (claimed < batch && !stopped) await sleep(config.WEBHOOK_RELAY_POLL_INTERVAL);
      } catch (err) {
        logger.error({ err }, 'webhook relay round failed; trying again');
        if (!stopped) await sleep(Math.max(config.WEBHOOK_RELAY_POLL_INTERVAL, 1000));
      }
    }
  })();

  return {
    runOnce,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
