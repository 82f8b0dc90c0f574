import { WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { DomainError } from '../errors';
import type { PaymentProvider } from '../payments/payment-provider';
import type { OrderWorkflowInput } from '../../workflows/order/definitions';
import { orderWorkflowId, placeOrderUpdate } from '../../workflows/order/definitions';
import type { orderWorkflow } from '../../workflows/order/workflow';
import { CustomerIdKey, OrderIdKey, OrderStatusKey, OrderTotalCentsKey } from '../../workflows/search-attributes';
import type { OrderWithHistory } from './order-queries';
import { findOrder } from './order-queries';
import type { OrderJson, OrderViewConfig } from './order-view';
import { toOrderJson } from './order-view';
import { orderIdFor, requestFingerprint } from './request-identity';
import type { PlaceOrderBody } from './request-schemas';

/** What placing an order uses: Temporal to start the saga, PostgreSQL for replays, and these settings. */
export interface PlacementDeps {
  temporal: Client;
  orm: Orm;
  config: OrderViewConfig & Pick<Config, 'PAYMENT_TIMEOUT' | 'CANCEL_WINDOW' | 'NOTIFY_MAX_ATTEMPTS' | 'TEMPORAL_TASK_QUEUE'>;
  /** Which payment methods the configured provider takes (its adapter). */
  paymentMethods: Pick<PaymentProvider, 'acceptsPaymentMethod'>;
}

export interface PlacementAnswer {
  order: OrderJson;
  /** True when this request repeated an earlier one (same key, same body): nothing new was reserved or charged. */
  replayed: boolean;
}

/** A rejected placement, answered with the same code and body every time the request is repeated. */
export class PlacementRejected extends DomainError {
  constructor(
    readonly orderId: string,
    readonly replayed: boolean,
    code: string,
    message: string,
    details?: unknown,
  ) {
    super(code, message, details);
  }
}

/**
 * Places an order: starts its saga with update-with-start and waits until the reservation is decided.
 * With an Idempotency-Key the order id (and so the workflow id) is derived from (customerId, key): a retried
 * request attaches to the same saga (conflict policy USE_EXISTING), and once the saga has closed, the order row
 * in PostgreSQL answers instead. The same key with a different body is refused.
 */
export async function placeOrder(deps: PlacementDeps, body: PlaceOrderBody, idempotencyKey?: string): Promise<PlacementAnswer> {
  const { config, temporal } = deps;
  // Refused before anything is reserved: a token the provider cannot take would only end the order unpaid.
  if (!deps.paymentMethods.acceptsPaymentMethod(body.payment.token)) {
    throw new DomainError('unsupported_payment_method', `the payment provider does not take the payment method ${body.payment.token}`, {
      token: body.payment.token,
    });
  }
  const fingerprint = requestFingerprint(body);
  const orderId = orderIdFor(body.customerId, idempotencyKey);
  const workflowId = orderWorkflowId(orderId);

  if (idempotencyKey !== undefined) {
    const existing = await findOrder(deps.orm.em.fork(), orderId);
    // A decided placement is answered from the lasting record; a PENDING one is still deciding: ask the saga.
    if (existing && existing.order.status !== 'PENDING') return answerFromRecord(deps, existing, fingerprint);
  }

  const input: OrderWorkflowInput = {
    orderId,
    customerId: body.customerId,
    customerEmail: body.customerEmail,
    items: body.items.map((i) => ({ productId: i.productId.toLowerCase(), quantity: i.quantity })),
    paymentToken: body.payment.token,
    requestFingerprint: fingerprint,
    idempotencyKey,
    paymentTimeoutMs: config.PAYMENT_TIMEOUT,
    cancelWindowMs: config.CANCEL_WINDOW,
    notifyMaxAttempts: config.NOTIFY_MAX_ATTEMPTS,
  };

  let result;
  try {
    result = await temporal.workflow.executeUpdateWithStart(placeOrderUpdate, {
      args: [{ requestFingerprint: fingerprint }],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', {
        workflowId,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // Never a second run for the same order id, however long after the first one closed.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: OrderIdKey, value: orderId },
          { key: CustomerIdKey, value: body.customerId },
          { key: OrderStatusKey, value: 'PENDING' },
          { key: OrderTotalCentsKey, value: 0 },
        ],
        staticSummary: `Order ${orderId.slice(0, 8)} · ${body.items.length} item(s) · customer ${body.customerId}`,
        staticDetails: body.items.map((i) => `- ${i.quantity} × product ${i.productId}`).join('\n'),
      }),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // The saga already ran and closed: its order row is the answer.
    const existing = await findOrder(deps.orm.em.fork(), orderId);
    if (!existing) throw new DomainError('service_unavailable', 'the order is being recorded; retry the request shortly');
    return answerFromRecord(deps, existing, fingerprint);
  }

  if (result.outcome === 'idempotency_key_reused') throw keyReused();
  if (result.outcome === 'rejected') {
    const { code, message, details } = result.rejection;
    throw new PlacementRejected(orderId, result.replayed, code, message, details);
  }
  const placed = await findOrder(deps.orm.em.fork(), orderId);
  if (!placed) throw new Error(`order ${orderId} was placed but has no row`);
  return { order: toOrderJson(placed.order, placed.history, config), replayed: result.replayed };
}

function answerFromRecord(deps: Pick<PlacementDeps, 'config'>, { order, history }: OrderWithHistory, fingerprint: string): PlacementAnswer {
  if (order.requestFingerprint !== fingerprint) throw keyReused();
  if (order.status === 'REJECTED' && order.rejection) {
    throw new PlacementRejected(order.id, true, order.rejection.code, order.rejection.message, order.rejection.details);
  }
  return { order: toOrderJson(order, history, deps.config), replayed: true };
}

function keyReused() {
  return new DomainError('idempotency_key_reused', 'this Idempotency-Key was already used with a different request body');
}
