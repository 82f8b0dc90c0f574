import type { Context } from 'koa';
import { PUBLIC } from '../http/auth-scheme';
import { routeDeclarer } from '../http/route';
import type { SimulatorErrorCode } from './error-codes';

/** Declares one operation of the simulator: every one is public (a development tool needs no credentials). */
export const defineRoute = routeDeclarer<{ public: typeof PUBLIC }, SimulatorErrorCode>({ public: PUBLIC });

/** Answers `body`; a replay of an earlier request with the same key says so, as Stripe does. */
export function answer(ctx: Context, status: number, body: unknown, replayed = false): void {
  ctx.status = status;
  ctx.body = body;
  if (replayed) ctx.set('Idempotent-Replayed', 'true');
}
