import type { Client as PgClient } from 'pg';
import { exchange, sleep } from '../../chaos/lib/http';
import type { WebhookReceiver } from '../../chaos/lib/webhook-receiver';
import type { LegContext, LegResult } from './legs';
import { runOursLeg, SAGA_API } from './legs';
import type { StackConfiguration } from './options';
import { sameStack } from './options';
import type { LatencySummary } from './stats';
import { mean, summarize } from './stats';

/**
 * The saga-webhook leg: the saga leg with one endpoint subscribed to every event (a receiver in the bench process,
 * over https as production requires), enabled for this leg only so that the plain saga leg beside it runs with
 * none. Afterwards: how long each of the leg's events took from its status change to the relay's first attempt and
 * to the receiver.
 */

/** What the outbox did for one saga-webhook run. */
export interface WebhookLegFigures {
  /** Events of the run's status changes, and how many of them the receiver got (at least once) before the endpoint was disabled. */
  events: number;
  received: number;
  /** Deliveries received in all (a redelivery counts again). */
  deliveries: number;
  /** From the status change (the outbox row's clock_timestamp, in the changing transaction) to the first attempt, ms. */
  toFirstAttempt: LatencySummary;
  /** From the status change to the receiver getting the event the first time, ms. */
  toReceiver: LatencySummary;
}

export interface WebhookLegResult extends LegResult {
  webhook: WebhookLegFigures;
}

export interface SubscribedEndpoint {
  id: string;
  receiver: WebhookReceiver;
}

const adminHeaders = (ctx: LegContext) => ({ authorization: `Bearer ${ctx.stack.config.ADMIN_TOKEN}` });

async function setStatus(ctx: LegContext, endpointId: string, status: 'enabled' | 'disabled'): Promise<void> {
  const res = await exchange(`${ctx.stack.url(SAGA_API)}/admin/webhook-endpoints/${endpointId}`, { method: 'PATCH', headers: adminHeaders(ctx), body: { status } });
  if (!res.ok || res.status !== 200) throw new Error(`${status === 'enabled' ? 'enabling' : 'disabling'} the bench endpoint failed: ${JSON.stringify(res)}`);
}

/** Subscribes the receiver to every event, disabled until a saga-webhook leg runs. */
export async function subscribeBenchEndpoint(ctx: LegContext, receiver: WebhookReceiver): Promise<SubscribedEndpoint> {
  const res = await exchange(`${ctx.stack.url(SAGA_API)}/admin/webhook-endpoints`, {
    headers: adminHeaders(ctx),
    body: { url: receiver.url, description: 'bench: every event' },
  });
  if (!res.ok || res.status !== 201) throw new Error(`subscribing the bench receiver failed: ${JSON.stringify(res)}`);
  receiver.setSecret(String(res.body.secret));
  const id = String(res.body.id);
  await setStatus(ctx, id, 'disabled');
  return { id, receiver };
}

/** Waits (up to `ms`) until none of the endpoint's messages is pending. */
async function waitForDrain(db: PgClient, endpointId: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_messages WHERE endpoint_id = $1 AND status = 'pending'`, [endpointId]);
    if (rows[0].n === 0) return;
    await sleep(100);
  }
}

/** One saga-webhook run: the saga leg with the endpoint enabled, then its events' lags. */
export async function runSagaWebhookLeg(ctx: LegContext, db: PgClient, endpoint: SubscribedEndpoint, concurrency: number, seconds: number): Promise<WebhookLegResult> {
  const since = new Date();
  await setStatus(ctx, endpoint.id, 'enabled');
  // runOursLeg keeps measuring for CANCEL_WINDOW + 1 s after the last saga, so the COMPLETED events fall in this run.
  const leg = await runOursLeg(ctx, concurrency, seconds);
  await waitForDrain(db, endpoint.id, 30_000);
  await setStatus(ctx, endpoint.id, 'disabled');
  const { rows } = await db.query<{ webhook_id: string; occurred_ms: number; first_attempt_ms: number | null }>(
    `SELECT 'msg_' || e.event_id AS webhook_id, extract(epoch FROM e.occurred_at) * 1000 AS occurred_ms,
            extract(epoch FROM (m.attempts->0->>'at')::timestamptz) * 1000 AS first_attempt_ms
     FROM webhook_messages m JOIN webhook_events e ON e.id = m.event_id
     WHERE m.endpoint_id = $1 AND e.occurred_at >= $2`,
    [endpoint.id, since],
  );
  const firstArrival = new Map<string, number>();
  const deliveries = endpoint.receiver.deliveries().filter((d) => d.receivedAtMs >= since.getTime());
  for (const d of deliveries) if (d.webhookId && !firstArrival.has(d.webhookId)) firstArrival.set(d.webhookId, d.receivedAtMs);
  const toFirstAttempt = rows.flatMap((r) => (r.first_attempt_ms === null ? [] : [Number(r.first_attempt_ms) - Number(r.occurred_ms)]));
  const toReceiver = rows.flatMap((r) => {
    const at = firstArrival.get(r.webhook_id);
    return at === undefined ? [] : [at - Number(r.occurred_ms)];
  });
  return {
    ...leg,
    kind: 'ours-webhook',
    webhook: { events: rows.length, received: toReceiver.length, deliveries: deliveries.length, toFirstAttempt: summarize(toFirstAttempt), toReceiver: summarize(toReceiver) },
  };
}

/** Per stack and C: the saga's rate without and with the endpoint, the loss, and the lags (means over the runs). */
export interface WebhookCostRow extends StackConfiguration {
  concurrency: number;
  withoutSagasPerSecond: number[];
  withSagasPerSecond: number[];
  /** 1 − with ÷ without, in %. */
  lossPercent: number;
  events: number;
  received: number;
  deliveries: number;
  toFirstAttempt: { p50: number; p99: number };
  toReceiver: { p50: number; p99: number };
  /** CPU-seconds per saga of the processes the endpoint adds work to, without and with it: where the loss goes. */
  cpuPerOrder: Record<'worker' | 'postgres' | 'driver', { without: number; with: number }>;
}

const cpuPerOrder = (legs: LegResult[], key: 'worker' | 'postgres' | 'driver') => mean(legs.map((l) => (l.cpu[key] ?? 0) / (l.orders - l.failed)));

export function summarizeWebhookCost(legs: LegResult[]): WebhookCostRow[] {
  const withEndpoint = legs.filter((l): l is WebhookLegResult => l.kind === 'ours-webhook');
  const keys = new Map<string, WebhookLegResult>();
  for (const l of withEndpoint) keys.set(JSON.stringify([l.persistence, l.workers, l.shards, l.setting, l.concurrency]), l);
  return [...keys.values()].map((first) => {
    const same = (l: LegResult) => l.concurrency === first.concurrency && sameStack(l, first);
    const runs = withEndpoint.filter(same);
    const plain = legs.filter((l) => l.kind === 'ours' && same(l));
    const without = plain.map((l) => l.sagasPerSecond);
    const withRates = runs.map((l) => l.sagasPerSecond);
    const sum = (f: (w: WebhookLegFigures) => number) => runs.reduce((n, l) => n + f(l.webhook), 0);
    return {
      persistence: first.persistence,
      workers: first.workers,
      shards: first.shards,
      setting: first.setting,
      concurrency: first.concurrency,
      withoutSagasPerSecond: without,
      withSagasPerSecond: withRates,
      lossPercent: (1 - mean(withRates) / mean(without)) * 100,
      events: sum((w) => w.events),
      received: sum((w) => w.received),
      deliveries: sum((w) => w.deliveries),
      toFirstAttempt: { p50: mean(runs.map((l) => l.webhook.toFirstAttempt.p50)), p99: mean(runs.map((l) => l.webhook.toFirstAttempt.p99)) },
      toReceiver: { p50: mean(runs.map((l) => l.webhook.toReceiver.p50)), p99: mean(runs.map((l) => l.webhook.toReceiver.p99)) },
      cpuPerOrder: {
        // The relay runs in the worker; the trigger, claims and records in PostgreSQL; the receiver in the driver.
        worker: { without: cpuPerOrder(plain, 'worker'), with: cpuPerOrder(runs, 'worker') },
        postgres: { without: cpuPerOrder(plain, 'postgres'), with: cpuPerOrder(runs, 'postgres') },
        driver: { without: cpuPerOrder(plain, 'driver'), with: cpuPerOrder(runs, 'driver') },
      },
    };
  });
}
