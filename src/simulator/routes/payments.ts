import Router from '@koa/router';
import { NotFoundError } from '../../errors';
import { parseRequest } from '../../api/validate';
import { maybeInjectOutage } from '../fault-injection';
import type { PaymentService } from '../payments';
import { createPaymentBody, listByOrderQuery, paymentParams } from '../schemas';
import { answer, idempotencyKeyOf } from './request';

export interface PaymentRoutesDeps {
  payments: PaymentService;
  /** SIM_PAYMENT_FAIL_RATE: how often POST /v1/payments answers 503 without creating anything. */
  paymentFailRate: number;
  random: () => number;
}

export function paymentRoutes({ payments, paymentFailRate, random }: PaymentRoutesDeps): Router {
  const router = new Router({ prefix: '/v1/payments' });

  router.post('/', (ctx) => {
    const key = idempotencyKeyOf(ctx);
    const body = parseRequest(createPaymentBody, ctx.request.body, 'body');
    // After validation, so bad input is always a 400; before any state change, so a 503 created nothing.
    maybeInjectOutage(paymentFailRate, random, 'the payment service');
    const { payment, replayed } = payments.create(body, key);
    ctx.set('Location', `/v1/payments/${payment.id}`);
    answer(ctx, 202, payment, replayed);
  });

  router.get('/', (ctx) => {
    const { orderId } = parseRequest(listByOrderQuery, ctx.query, 'query');
    answer(ctx, 200, { items: payments.list(orderId) });
  });

  router.get('/:id', (ctx) => {
    const { id } = parseRequest(paymentParams, ctx.params, 'params');
    const payment = payments.get(id);
    if (!payment) throw new NotFoundError('payment', id);
    answer(ctx, 200, payment);
  });

  router.post('/:id/void', (ctx) => {
    const { id } = parseRequest(paymentParams, ctx.params, 'params');
    answer(ctx, 200, payments.void(id));
  });

  router.post('/:id/refunds', (ctx) => {
    const { id } = parseRequest(paymentParams, ctx.params, 'params');
    const key = idempotencyKeyOf(ctx);
    const { payment, replayed } = payments.refund(id, key);
    answer(ctx, 200, payment, replayed);
  });

  return router;
}
