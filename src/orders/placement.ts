import { WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { plainSqlEm } from '../db/plain-sql';
import type { InflightGate } from '../inflight-gate';
import { withinDeadline } from '../deadline';
import type { Logger } from '../logger';
import { DomainError } from '../errors';
import type { PaymentProvider } from '../payments/payment-provider';
import type { OrderWorkflowInput } from '../../workflows/order/definitions';
import { orderWorkflowId, placeOrderUpdate } from '../../workflows/order/definitions';
import type { orderWorkflow } from '../../workflows/order/workflow';
import { CustomerIdKey, OrderIdKey, OrderStatusKey, OrderTotalCentsKey } from '../../workflows/search-attributes';
import type { Admission, WindowState } from './admission';
import { admitOrder } from './admission';
import type { Order } from './entities';
import type { OrderWithHistory } from './order-queries';
import { findOrder } from './order-queries';
import type { OrderJson, OrderViewConfig } from './order-view';
import { toOrderJson } from './order-view';
import { orderIdFor, requestFingerprint } from './request-identity';
import type { PlaceOrderBody } from './request-schemas';

/** What placing an order uses: Temporal to start the saga, PostgreSQL for replays and limits, and these settings. */
export interface PlacementDeps {
  temporal: Client;
  orm: Orm;
  logger: Logger;
  config: OrderViewConfig &
    Pick<
      Config,
      | 'PAYMENT_TIMEOUT'
      | 'CANCEL_WINDOW'
      | 'REFUND_CONFIRMATION_TIMEOUT'
      | 'NOTIFY_MAX_ATTEMPTS'
      | 'TEMPORAL_TASK_QUEUE'
      | 'ORDER_RATE_LIMIT_PER_MINUTE'
      | 'MAX_OPEN_ORDERS_PER_CUSTOMER'
      | 'MAX_UNPAID_UNITS_PER_CUSTOMER'
      | 'PLACEMENT_DEADLINE'
    > &
    Partial<Pick<Config, 'PAYMENT_CAPTURE' | 'AUTHORIZATION_TTL' | 'RETURN_WINDOW' | 'DELIVERY_TIMEOUT' | 'RETURN_RECEIPT_TIMEOUT'>>;
  /** Which payment methods the configured provider takes (its adapter). */
  paymentMethods: Pick<PaymentProvider, 'acceptsPaymentMethod'>;
}

export interface PlacementRequest {
  /** Whose order: the token's subject (or, for support staff, the body's customerId). */
  customerId: string;
  /** The token's email claim when it has one, else the body's customerEmail. */
  customerEmail: string;
  /** The token's email claim: the only email that is a rate-limit key (an email in a body could be anyone's). */
  verifiedEmail?: string;
  body: PlaceOrderBody;
  idempotencyKey?: string;
}

export interface PlacementAnswer {
  order: OrderJson;
  /** True when this request repeated an earlier one (same key, same body): nothing new was reserved or charged. */
  replayed: boolean;
  /** False when PLACEMENT_DEADLINE passed before the reservation was decided: the saga goes on (202). */
  decided: boolean;
  /** The rate windows after this placement (absent when the answer came from the stored record). */
  rateLimit?: WindowState[];
}

/** Refused by a limit (429) or by load shedding (503) before anything reached Temporal; nothing was reserved. */
export class PlacementRefused extends DomainError {
  constructor(
    code: 'rate_limited' | 'too_many_open_orders' | 'unpaid_units_exceeded' | 'overloaded',
    message: string,
    readonly retryAfterSeconds: number,
    readonly rateLimit?: WindowState[],
  ) {
    super(code, message);
  }
}

export interface PlacementControls {
  /** This process's cap on placements in flight. */
  gate: InflightGate;
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
 * Places an order: starts its saga with update-with-start and waits until the reservation is decided, at most
 * PLACEMENT_DEADLINE; past it the answer is the order as it stands (decided: false) and the saga goes on.
 * With an Idempotency-Key the order id (and so the workflow id) is derived from (customerId, key): a retried
 * request attaches to the same saga (conflict policy USE_EXISTING), and once the saga has closed, the order row
 * in PostgreSQL answers instead. The same key with a different body is refused.
 * Before anything reaches Temporal: this process's in-flight cap (503 overloaded), then the customer's and the
 * verified email's limits (429), which count a replay of an admitted order only once.
 */
export async function placeOrder(deps: PlacementDeps, request: PlacementRequest, controls: PlacementControls): Promise<PlacementAnswer> {
  const release = controls.gate.tryEnter();
  if (!release) {
    throw new PlacementRefused('overloaded', `more than ${controls.gate.limit} orders are being placed on this server; retry shortly`, 1);
  }
  let started: Promise<unknown> | undefined;
  try {
    const answer = await place(deps, request, (work) => (started = work));
    return answer;
  } finally {
    // The place is held until Temporal has answered, even when the client was answered earlier (202): the cap
    // bounds the work this process has pending, not just the requests it is still answering.
    if (started) started.then(release, release);
    else release();
  }
}

async function place(deps: PlacementDeps, request: PlacementRequest, track: (work: Promise<unknown>) => void): Promise<PlacementAnswer> {
  const { config, temporal } = deps;
  const { body, customerId, customerEmail, idempotencyKey } = request;
  // Refused before anything is reserved: a token the provider cannot take would only end the order unpaid.
  if (!deps.paymentMethods.acceptsPaymentMethod(body.payment.token)) {
    throw new DomainError('unsupported_payment_method', `the payment provider does not take the payment method ${body.payment.token}`, {
      token: body.payment.token,
    });
  }
  // Who and which email the order is for are part of "the same request": a replay must name the same ones.
  const fingerprint = requestFingerprint({ ...body, customerId, customerEmail });
  const orderId = orderIdFor(customerId, idempotencyKey);
  const workflowId = orderWorkflowId(orderId);

  const admission = await admitOrder(
    plainSqlEm(deps.orm),
    { orderId, customerId, verifiedEmail: request.verifiedEmail, units: body.items.reduce((sum, i) => sum + i.quantity, 0) },
    {
      perMinute: config.ORDER_RATE_LIMIT_PER_MINUTE,
      maxOpen: config.MAX_OPEN_ORDERS_PER_CUSTOMER,
      maxUnpaidUnits: config.MAX_UNPAID_UNITS_PER_CUSTOMER,
      paymentTimeoutMs: config.PAYMENT_TIMEOUT,
    },
  );
  if (!admission.admitted) throw refusal(admission);
  // An order id admitted before is a replay (the same key again): a decided placement is answered from the lasting
  // record; a PENDING one is still deciding: ask the saga. Read only then, so a new order costs no lookup.
  if (admission.replay && idempotencyKey !== undefined) {
    const existing = await findOrder(plainSqlEm(deps.orm), orderId);
    if (existing && existing.order.status !== 'PENDING') return answerFromRecord(deps, existing, fingerprint);
  }

  const input: OrderWorkflowInput = {
    orderId,
    customerId,
    customerEmail,
    items: body.items.map((i) => ({ productId: i.productId.toLowerCase(), quantity: i.quantity })),
    paymentToken: body.payment.token,
    requestFingerprint: fingerprint,
    idempotencyKey,
    paymentTimeoutMs: config.PAYMENT_TIMEOUT,
    cancelWindowMs: config.CANCEL_WINDOW,
    notifyMaxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    refundConfirmationTimeoutMs: config.REFUND_CONFIRMATION_TIMEOUT,
    // Only under manual capture: automatic-capture sagas keep the input (and the path) they always had.
    ...(config.PAYMENT_CAPTURE === 'manual' ? { paymentCapture: 'manual' as const, authorizationTtlMs: config.AUTHORIZATION_TTL } : {}),
    // Goods that ship: the saga's clocks after payment (used only when a line ships).
    ...(config.RETURN_WINDOW !== undefined && config.DELIVERY_TIMEOUT !== undefined && config.RETURN_RECEIPT_TIMEOUT !== undefined
      ? { fulfilment: { returnWindowMs: config.RETURN_WINDOW, deliveryTimeoutMs: config.DELIVERY_TIMEOUT, returnReceiptTimeoutMs: config.RETURN_RECEIPT_TIMEOUT } }
      : {}),
  };

  const work = temporal.workflow.executeUpdateWithStart(placeOrderUpdate, {
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
        { key: CustomerIdKey, value: customerId },
        { key: OrderStatusKey, value: 'PENDING' },
        { key: OrderTotalCentsKey, value: 0 },
      ],
      staticSummary: `Order ${orderId.slice(0, 8)} · ${body.items.length} item(s) · customer ${customerId}`,
      staticDetails: body.items.map((i) => `- ${i.quantity} × product ${i.productId}`).join('\n'),
    }),
  });
  track(work);

  let result;
  try {
    const timed = await withinDeadline(work, config.PLACEMENT_DEADLINE, (late) => {
      if (late.status === 'rejected' && !(late.reason instanceof WorkflowExecutionAlreadyStartedError)) {
        deps.logger.warn({ err: late.reason, orderId, workflowId }, 'a placement answered 202 failed afterwards');
      }
    });
    if (!timed.inTime) return { ...(await orderAsItStands(deps, input, workflowId)), replayed: admission.replay, decided: false, rateLimit: admission.windows };
    result = timed.value;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // The saga already ran and closed: its order row is the answer.
    const existing = await findOrder(plainSqlEm(deps.orm), orderId);
    if (!existing) throw new DomainError('service_unavailable', 'the order is being recorded; retry the request shortly');
    return answerFromRecord(deps, existing, fingerprint);
  }

  if (result.outcome === 'idempotency_key_reused') throw keyReused();
  if (result.outcome === 'rejected') {
    const { code, message, details } = result.rejection;
    throw new PlacementRejected(orderId, result.replayed, code, message, details);
  }
  const placed = await findOrder(plainSqlEm(deps.orm), orderId);
  if (!placed) throw new Error(`order ${orderId} was placed but has no row`);
  return { order: toOrderJson(placed.order, placed.history, config), replayed: result.replayed, decided: true, rateLimit: admission.windows };
}

/** The order row when the saga has written it, else the order as requested (PENDING, nothing priced yet). */
async function orderAsItStands(deps: PlacementDeps, input: OrderWorkflowInput, workflowId: string): Promise<{ order: OrderJson }> {
  const found = await findOrder(plainSqlEm(deps.orm), input.orderId);
  if (found) return { order: toOrderJson(found.order, found.history, deps.config) };
  const now = new Date();
  const requested: Order = {
    id: input.orderId,
    workflowId,
    customerId: input.customerId,
    customerEmail: input.customerEmail,
    status: 'PENDING',
    requestedItems: input.items,
    paymentStatus: 'not_requested',
    requestFingerprint: input.requestFingerprint,
    statusSeq: 0,
    authorizedCents: 0,
    capturedCents: 0,
    refundedCents: 0,
    refunds: [],
    createdAt: now,
    updatedAt: now,
  };
  return { order: toOrderJson(requested, [], deps.config) };
}

function refusal(admission: Extract<Admission, { admitted: false }>): PlacementRefused {
  return new PlacementRefused(admission.code, admission.message, admission.retryAfterSeconds, admission.windows);
}

function answerFromRecord(deps: Pick<PlacementDeps, 'config'>, { order, history }: OrderWithHistory, fingerprint: string): PlacementAnswer {
  if (order.requestFingerprint !== fingerprint) throw keyReused();
  if (order.status === 'REJECTED' && order.rejection) {
    throw new PlacementRejected(order.id, true, order.rejection.code, order.rejection.message, order.rejection.details);
  }
  return { order: toOrderJson(order, history, deps.config), replayed: true, decided: true };
}

function keyReused() {
  return new DomainError('idempotency_key_reused', 'this Idempotency-Key was already used with a different request body');
}
