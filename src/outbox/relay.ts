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
import type { Attempt, AttemptOutcome, ClaimedMessage } from './message-store';
import { claimDueMessages, pruneDelivered, recordAttempts, releaseLeases } from './message-store';
import { checkWebhookUrl } from './url-guard';
import type { WebhookPost } from './webhook-post';
import { createWebhookPoster } from './webhook-post';

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
  /** How deliveries are sent (the default: keep-alive node:http(s), see webhook-post.ts). */
  post?: WebhookPost;
}

export interface Relay {
  /** One round: claims the due messages (a batch) and delivers them; how many it claimed. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the deliveries in flight to be recorded. */
  stop(): Promise<void>;
}

/** How often delivered messages past WEBHOOK_MESSAGE_RETENTION are pruned. */
const PRUNE_EVERY_MS = 60_000;
/** The lease outlasts a round's attempts by this much, so a live relay always records its own attempts. */
const LEASE_MARGIN_MS = 10_000;

/**
 * The outbox relay: delivers webhook messages to subscribers, as Standard Webhooks, from any number of processes
 * (each worker runs one). Deliveries happen outside any transaction; see claimDueMessages for how relays share work
 * and keep each order's events in order per endpoint.
 */
export function startRelay(deps: RelayDeps): Relay {
  const { orm, config, logger, metrics } = deps;
  const poster = deps.post ? undefined : createWebhookPoster(config.WEBHOOK_RELAY_CONCURRENCY);
  const post = deps.post ?? poster!.post;
  const batch = config.WEBHOOK_RELAY_CONCURRENCY * 2;
  const limit = pLimit(config.WEBHOOK_RELAY_CONCURRENCY);
  // A round records its attempts once the last one is in: each endpoint's first message goes out first (see runOnce),
  // then its claimed messages wait for free slots, one wave of attempts (each up to WEBHOOK_TIMEOUT) after another,
  // and the lease covers them all.
  const leaseMs = (Math.ceil(batch / config.WEBHOOK_RELAY_CONCURRENCY) + 1) * config.WEBHOOK_TIMEOUT + LEASE_MARGIN_MS;
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
      const status = await post(
        message.url,
        {
          'content-type': 'application/json',
          'user-agent': 'order-saga-webhooks/1',
          ...standardWebhookHeaders(secrets, `msg_${message.event_uuid}`, Math.floor(at.getTime() / 1000), body),
        },
        body,
        config.WEBHOOK_TIMEOUT,
      );
      const outcome = status === 410 ? '410' : `${Math.floor(status / 100)}xx`;
      return done(status, outcome);
    } catch (err) {
      const timedOut = (err as { name?: string }).name === 'TimeoutError';
      return done(null, timedOut ? 'timeout' : 'error', timedOut ? `no answer within ${config.WEBHOOK_TIMEOUT} ms` : transportReason(err));
    }
  }

  /** One attempt, and what it makes of the message (recorded with the round's others). */
  async function deliver(message: ClaimedMessage, body: string): Promise<{ id: string; attempt: Attempt; outcome: AttemptOutcome; result: string }> {
    if (message.attempt_count === 0) metrics.lag.observe(Math.max(0, Date.now() - new Date(message.occurred_at).getTime()) / 1000);
    const { attempt: result, outcome } = await attempt(message, body);
    const record = (next: AttemptOutcome) => ({ id: message.id, attempt: result, outcome: next, result: outcome });
    if (outcome === '2xx') return record({ status: 'delivered' });
    if (outcome === '410') return record({ status: 'failed' });
    const attemptsMade = message.attempt_count + 1;
    if (attemptsMade > schedule.length) return record({ status: 'failed' });
    return record({ status: 'pending', retryInMs: schedule[attemptsMade - 1] });
  }

  async function runOnce(): Promise<number> {
    const em = orm.em.fork();
    const claimed = await claimDueMessages(em, batch, leaseMs);
    if (claimed.length === 0) return 0;
    // An event's body is the same for every endpoint and attempt: built once per event of the round.
    const bodies = new Map<string, string>();
    const bodyOf = (message: ClaimedMessage) => {
      let body = bodies.get(message.event_uuid);
      if (body === undefined) {
        body = eventBody(
          { type: message.type, occurredAt: message.occurred_at, snapshot: message.order_snapshot, seq: message.order_seq, data: message.data },
          message.history,
          config,
        );
        bodies.set(message.event_uuid, body);
      }
      return body;
    };
    // An endpoint that answers 410 Gone gets nothing more: its first message of the round goes out alone, the rest
    // once it has answered, and none that has not started once a 410 came back (those are held: not attempted, their
    // lease released, so they go out at once if an operator enables the endpoint again). The wait costs one answer
    // per round for an endpoint with several due messages; after it, they go out side by side.
    const gone = new Set<string>();
    const firsts = new Map<string, Promise<unknown>>();
    const send = (message: ClaimedMessage) =>
      limit(async () => {
        if (gone.has(message.endpoint_id)) return undefined;
        const delivered = await deliver(message, bodyOf(message));
        if (delivered.result === '410') gone.add(message.endpoint_id);
        return delivered;
      });
    const sent = await Promise.all(
      claimed.map((message) => {
        const first = firsts.get(message.endpoint_id);
        if (first) return first.then(() => send(message));
        const own = send(message);
        firsts.set(message.endpoint_id, own);
        return own;
      }),
    );
    const results = sent.filter((r) => r !== undefined);
    const held = claimed.filter((_, i) => sent[i] === undefined);
    try {
      // One statement for the whole round: per message, it was most of what the relay cost the database.
      await recordAttempts(em, results);
      await releaseLeases(em, held.map((m) => m.id));
    } catch (err) {
      // Not recorded (the database went away): the leases run out and the messages are claimed again.
      logger.error({ err, messages: results.length }, 'recording webhook attempts failed');
      return claimed.length;
    }
    for (const [i, m] of claimed.entries()) {
      if (sent[i] === undefined) continue;
      const { attempt: made, result, outcome } = sent[i];
      if (outcome.status !== 'pending') metrics.messages.inc({ result: outcome.status });
      if (outcome.status === 'failed' && result !== '410') {
        logger.warn({ endpointId: m.endpoint_id, messageId: m.id, attempts: m.attempt_count + 1, statusCode: made.statusCode }, 'webhook message failed after its last attempt');
      }
      // Disabled once per endpoint, however many of the round's deliveries to it answered 410.
      if (result === '410' && gone.delete(m.endpoint_id)) {
        await disableGoneEndpoint(em, m.endpoint_id);
        const kept = held.filter((h) => h.endpoint_id === m.endpoint_id).length;
        logger.warn({ endpointId: m.endpoint_id, messageId: m.id, held: kept }, 'webhook endpoint answered 410 Gone: disabled');
      }
    }
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
      poster?.close();
    },
  };
}
