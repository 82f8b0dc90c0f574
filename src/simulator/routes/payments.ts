import { z } from 'zod';
import { found } from '../../errors';
import { json } from '../../http/route';
import { maybeInjectOutage } from '../fault-injection';
import type { PaymentService } from '../payments';
import { answer, defineRoute } from '../route';
import {
  capturePaymentBody,
  createPaymentBody,
  idempotencyHeaders,
  listByOrderQuery,
  paymentParams,
  refundPaymentBody,
  refundSchema,
  simulatedPaymentSchema,
} from '../schemas';

export interface PaymentRoutesDeps {
  payments: PaymentService;
  /** SIM_PAYMENT_FAIL_RATE: how often POST /v1/payments answers 503 without creating anything. */
  paymentFailRate: number;
  random: () => number;
}

type Deps = Pick<PaymentRoutesDeps, 'payments'>;

const replayed = z.object({
  'Idempotent-Replayed': z.literal('true').optional().describe('present when the answer repeats an earlier request with this key'),
});

/** Payments: created pending, settled by their token, voided or refunded; every change is reported by webhook. */
export const paymentRoutes = [
  defineRoute({
    method: 'post',
    path: '/v1/payments',
    operationId: 'createPayment',
    auth: 'public',
    tags: ['payments'],
    summary: 'Create a payment (pending; its token decides the outcome)',
    description:
      'Answers 202 with the payment `pending`; the outcome is decided when it settles (see the tokens above) and ' +
      'reported by webhook. The same Idempotency-Key answers the same payment (`Idempotent-Replayed: true`) and never ' +
      'charges twice; with another body it is 409. SIM_PAYMENT_FAIL_RATE answers this share of requests 503 without ' +
      'creating anything.',
    request: { headers: idempotencyHeaders, body: createPaymentBody },
    responses: {
      202: json('Created, pending', simulatedPaymentSchema, replayed.extend({ Location: z.string().describe('/v1/payments/{id}') })),
    },
    errors: ['idempotency_key_reused', 'service_unavailable'],
    handler: ({ headers, body }, ctx, { payments, paymentFailRate, random }: PaymentRoutesDeps) => {
      // After validation, so bad input is always a 400; before any state change, so a 503 created nothing.
      maybeInjectOutage(paymentFailRate, random, 'the payment service');
      const { payment, replayed: again } = payments.create(body, headers['idempotency-key']);
      ctx.set('Location', `/v1/payments/${payment.id}`);
      answer(ctx, 202, payment, again);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/payments',
    operationId: 'listPayments',
    auth: 'public',
    tags: ['payments'],
    summary: 'Payments, oldest first; `orderId` keeps one order’s',
    request: { query: listByOrderQuery },
    responses: { 200: json('Payments', z.object({ items: z.array(simulatedPaymentSchema) })) },
    handler: ({ query }, ctx, { payments }: Deps) => answer(ctx, 200, { items: payments.list(query.orderId) }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/payments/{id}',
    operationId: 'getPayment',
    auth: 'public',
    tags: ['payments'],
    summary: 'A payment, as it stands now',
    request: { params: paymentParams },
    responses: { 200: json('The payment', simulatedPaymentSchema) },
    errors: ['not_found'],
    handler: ({ params }, ctx, { payments }: Deps) => answer(ctx, 200, found(payments.get(params.id), 'payment', params.id)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/payments/{id}/void',
    operationId: 'voidPayment',
    auth: 'public',
    tags: ['payments'],
    summary: 'Void a pending payment (it can no longer succeed) or release an authorized one',
    description:
      'A pending or authorized payment becomes `voided` (`payment.failed` with reason `voided`; an authorized hold is ' +
      'released, nothing was taken); a voided or failed one is answered ' +
      'unchanged. Money already taken is 409 `not_voidable`: refund it.',
    request: { params: paymentParams },
    responses: { 200: json('The payment, voided (or already unable to take money)', simulatedPaymentSchema) },
    errors: ['not_found', 'not_voidable'],
    handler: ({ params }, ctx, { payments }: Deps) => answer(ctx, 200, payments.void(params.id)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/payments/{id}/capture',
    operationId: 'capturePayment',
    auth: 'public',
    tags: ['payments'],
    summary: 'Capture an authorized payment (manual capture), in full or in part',
    description:
      'An `authorized` payment (created with `capture: "manual"`) becomes `succeeded` with `capturedCents` ' +
      '(`payment.succeeded`); the rest of the hold is released. Without a body the whole authorized amount is ' +
      'captured. The same key answers the same capture again; a payment already captured is answered unchanged. A ' +
      'lapsed hold (tok_auth_expires after SIM_AUTH_TTL_MS) is 409 `authorization_expired`; a payment that is not ' +
      'authorized is 409 `not_capturable`; more than was authorized is 422 `capture_exceeds_authorized`.',
    request: { params: paymentParams, headers: idempotencyHeaders, body: capturePaymentBody },
    responses: { 200: json('The payment, captured', simulatedPaymentSchema, replayed) },
    errors: ['not_found', 'not_capturable', 'authorization_expired', 'capture_exceeds_authorized'],
    handler: ({ params, headers, body }, ctx, { payments }: Deps) => {
      const { payment, replayed: again } = payments.capture(params.id, headers['idempotency-key'], body?.amountCents);
      answer(ctx, 200, payment, again);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/payments/{id}/refunds',
    operationId: 'refundPayment',
    auth: 'public',
    tags: ['payments'],
    summary: 'Refund a succeeded payment, in full or in part',
    description:
      'Without a body, gives back whatever is left of the payment; with `amountCents`, that much. Each refund has its ' +
      'own id and webhook: `payment.partially_refunded` while money is left, `payment.refunded` once the whole amount ' +
      'is back (the payment is then `refunded`); a tok_wallet payment is credited back. The answer is the payment with ' +
      '`refund`, the refund this request made. The same key answers the same refund again; a refunded payment is ' +
      'answered unchanged, never credited twice. More than is left is 422 `refund_exceeds_captured`; anything not ' +
      'succeeded is 409 `not_refundable`.',
    request: { params: paymentParams, headers: idempotencyHeaders, body: refundPaymentBody },
    responses: {
      200: json(
        'The payment, refunded (in full or in part)',
        simulatedPaymentSchema.extend({ refund: refundSchema.optional() }),
        replayed,
      ),
    },
    errors: ['not_found', 'not_refundable', 'refund_exceeds_captured'],
    handler: ({ params, headers, body }, ctx, { payments }: Deps) => {
      const {
        payment,
        refund,
        replayed: again,
      } = payments.refund(params.id, headers['idempotency-key'], body?.amountCents);
      answer(ctx, 200, { ...payment, ...(refund ? { refund } : {}) }, again);
    },
  }),
];
