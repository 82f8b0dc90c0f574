import { z } from 'zod';
import { toProductJson } from '../../catalog/product-json';
import { adjustStock, createProduct, updateProduct } from '../../catalog/products';
import { createProductBody, stockAdjustmentBody, updateProductBody } from '../../catalog/request-schemas';
import type { Product as ProductRow } from '../../catalog/entities';
import type { ProductCache } from '../../catalog/product-cache';
import type { Orm } from '../../db/orm';
import { NotificationSchema } from '../../orders/entities';
import type { OrderCommandDeps } from '../../orders/order-commands';
import { captureOrder, retryCompensation } from '../../orders/order-commands';
import type { RefundDeps } from '../../orders/refunds';
import { refundOrder } from '../../orders/refunds';
import {
  notificationsQuerySchema,
  orderIdParamsSchema,
  refundOrderBodySchema,
  refundOrderHeadersSchema,
} from '../../orders/request-schemas';
import { notificationJsonSchema, refundJsonSchema } from '../../orders/response-schemas';
import { json } from '../../http/route';
import { defineRoute } from '../route';
import { Order, orderIdOf } from './orders';
import { Product, productIdParams } from './products';

/** A refund as the API shows it (also the `refund` of the refund.created event). */
export const Refund = refundJsonSchema.meta({ id: 'Refund' });

/** What every change to one existing product (`/admin/products/{id}/…`) declares alike: it answers the product. */
const productChange = {
  auth: 'admin' as const,
  tags: ['catalog'],
  resource: 'product',
  responses: { 200: json('The product', Product) },
};

/** The catalog's writes: the database, and this instance's cache to drop a changed product from at once. */
type CatalogWriteDeps = { orm: Orm; productCache?: ProductCache };

/**
 * The product as changed. Every instance drops it when the change's notification arrives; this one drops it now too,
 * so a client that reads back what it just wrote through the same instance never gets the earlier answer.
 */
function changed(deps: CatalogWriteDeps, product: ProductRow) {
  deps.productCache?.productChanged(product.id);
  return toProductJson(product);
}

/** Operator endpoints (admin bearer token): the catalog's writes, stuck orders and sent notifications. */
export const adminRoutes = [
  defineRoute({
    method: 'post',
    path: '/admin/products',
    operationId: 'createProduct',
    auth: 'admin',
    tags: ['catalog'],
    summary: 'Create a product',
    request: { body: createProductBody },
    responses: { 201: json('Created', Product, z.object({ Location: z.string().describe('/products/{id}') })) },
    errors: ['sku_taken', 'service_unavailable'],
    handler: async ({ body }, ctx, deps: CatalogWriteDeps) => {
      const product = await createProduct(deps.orm.em.fork(), body);
      ctx.status = 201;
      ctx.set('Location', `/products/${product.id}`);
      return changed(deps, product);
    },
  }),

  defineRoute({
    ...productChange,
    method: 'patch',
    path: '/admin/products/{id}',
    operationId: 'updateProduct',
    summary: "Change a product's name, price, active flag or per-customer limit",
    request: { params: productIdParams, body: updateProductBody },
    errors: ['service_unavailable'],
    handler: async ({ params, body }, _ctx, deps: CatalogWriteDeps) => changed(deps, await updateProduct(deps.orm.em.fork(), params.id, body)),
  }),

  defineRoute({
    ...productChange,
    method: 'post',
    path: '/admin/products/{id}/stock-adjustments',
    operationId: 'adjustStock',
    summary: 'Add or remove stock on hand',
    request: { params: productIdParams, body: stockAdjustmentBody },
    errors: ['insufficient_stock', 'service_unavailable'],
    handler: async ({ params, body }, _ctx, deps: CatalogWriteDeps) =>
      changed(deps, await adjustStock(deps.orm.em.fork(), params.id, body.delta, body.reason)),
  }),

  defineRoute({
    method: 'post',
    path: '/admin/orders/{id}/retry-compensation',
    operationId: 'retryCompensation',
    auth: 'admin',
    tags: ['admin'],
    summary: 'Retry the failed compensations of a NEEDS_ATTENTION order',
    request: { params: orderIdParamsSchema },
    resource: 'order',
    responses: { 200: json('The order; the saga runs the compensations again', Order) },
    errors: ['not_retryable', 'service_unavailable'],
    handler: ({ params }, ctx, deps: OrderCommandDeps) => retryCompensation(deps, orderIdOf(ctx, params)),
  }),

  defineRoute({
    method: 'post',
    path: '/admin/orders/{id}/capture',
    operationId: 'captureOrder',
    auth: 'admin',
    tags: ['admin'],
    summary: 'Capture a PAID order’s authorized payment now (PAYMENT_CAPTURE=manual)',
    description:
      'Takes the money the provider holds for the order (its total), instead of waiting for the end of the cancel ' +
      'window or AUTHORIZATION_TTL; the order stays PAID with `payment.status` `succeeded` and `capturedCents`, its ' +
      'history noting `capture_by_operator`. An order that is not PAID with an `authorized` payment → 409 ' +
      '`not_capturable`; a hold that had lapsed → 409 `authorization_expired` (the order is then cancelled).',
    request: { params: orderIdParamsSchema },
    resource: 'order',
    responses: { 200: json('The order, captured', Order) },
    errors: ['not_capturable', 'authorization_expired', 'service_unavailable'],
    handler: ({ params }, ctx, deps: OrderCommandDeps) => captureOrder(deps, orderIdOf(ctx, params)),
  }),

  defineRoute({
    method: 'post',
    path: '/admin/orders/{id}/refunds',
    operationId: 'refundOrder',
    auth: 'admin',
    tags: ['admin'],
    summary: 'Give back part or all of a COMPLETED order’s money',
    description:
      'Refunds `amountCents`, or the prices of `items` (with `restock`, their units go back in stock). Checked against ' +
      'the ledger before the provider is asked: more than is left → 422 `refund_exceeds_captured`; nothing captured, ' +
      'or an order not settled with its money (PAID: cancel it instead) → 409 `not_refundable`. Answers 201 with the ' +
      'refund once the provider answered (`succeeded`, or `failed`: the order then needs an operator), or still ' +
      '`pending` after 10 s. The order is REFUNDED once everything captured is back, else its `payment.status` is ' +
      '`partially_refunded`. The same Idempotency-Key answers the same refund (`Idempotent-Replayed: true`) and never ' +
      'pays twice; with another body it is 409.',
    request: {
      params: orderIdParamsSchema,
      headers: z.object({
        'Idempotency-Key': refundOrderHeadersSchema.shape['idempotency-key'].describe(
          '1–255 visible ASCII characters; one refund per key',
        ),
      }),
      body: refundOrderBodySchema,
    },
    resource: 'order',
    responses: {
      201: json(
        'The refund',
        Refund,
        z.object({
          'Idempotent-Replayed': z
            .literal('true')
            .optional()
            .describe('present when this answer repeats an earlier request with the same key'),
        }),
      ),
    },
    errors: ['idempotency_key_reused', 'not_refundable', 'order_disputed', 'refund_exceeds_captured', 'service_unavailable'],
    handler: async ({ params, headers, body }, ctx, deps: RefundDeps) => {
      const { refund, replayed } = await refundOrder(deps, orderIdOf(ctx, params), body, headers['Idempotency-Key']);
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = 201;
      return refund;
    },
  }),

  defineRoute({
    method: 'get',
    path: '/admin/notifications',
    operationId: 'listNotifications',
    auth: 'admin',
    tags: ['admin'],
    summary: 'Customer notifications, newest first (at most 500)',
    request: { query: notificationsQuerySchema },
    responses: { 200: json('Notifications', z.object({ items: z.array(notificationJsonSchema) })) },
    errors: ['service_unavailable'],
    handler: async ({ query: { status } }, _ctx, { orm }: { orm: Orm }) => {
      const rows = await orm.em
        .fork()
        .find(NotificationSchema, status ? { status: status === 'failed' ? 'FAILED' : 'SENT' } : {}, {
          orderBy: { createdAt: 'desc' },
          limit: 500,
        });
      return {
        items: rows.map((n) => ({
          id: n.id,
          orderId: n.orderId,
          kind: n.kind,
          recipient: n.recipient,
          status: n.status,
          attempts: n.attempts,
          lastError: n.lastError ?? null,
          createdAt: n.createdAt.toISOString(),
          updatedAt: n.updatedAt.toISOString(),
        })),
      };
    },
  }),
];
