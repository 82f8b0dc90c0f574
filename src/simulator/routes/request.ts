import type { Context } from 'koa';
import { parseRequest } from '../../api/validate';
import { idempotencyHeaders } from '../schemas';

/** The required Idempotency-Key header, or 400 `validation_failed` naming it. */
export function idempotencyKeyOf(ctx: Context): string {
  const raw = ctx.get('idempotency-key');
  return parseRequest(idempotencyHeaders, { 'idempotency-key': raw === '' ? undefined : raw }, 'headers')[
    'idempotency-key'
  ];
}

/** Answers `body`; a replay of an earlier request with the same key says so, as Stripe does. */
export function answer(ctx: Context, status: number, body: unknown, replayed = false): void {
  ctx.status = status;
  ctx.body = body;
  if (replayed) ctx.set('Idempotent-Replayed', 'true');
}
