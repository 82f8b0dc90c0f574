import { ApplicationFailure, CancellationScope, condition, setHandler } from '@temporalio/workflow';
import type { CompensationStack } from './compensation-stack';
import type { CancelResult, CaptureResult, OrderSagaState, OrderWorkflowInput, PlacementResult } from './definitions';
import {
  cancelOrderUpdate,
  captureOrderUpdate,
  NOT_CANCELLABLE,
  NOT_CAPTURABLE,
  NOT_RETRYABLE,
  orderStateQuery,
  paymentEventSignal,
  placeOrderUpdate,
  refundRefusedSignal,
  retryCompensationUpdate,
} from './definitions';
import type { Fulfilment } from './fulfilment';
import type { PaymentHold } from './manual-capture';
import type { OrderRecord } from './order-record';
import type { PaymentEvents } from './payment-events';
import type { RefusedRefunds } from './refused-refunds';
import { isCancellable } from './state-machine';

/** The answer to `POST /orders` (the placeOrder update): decided once by the saga, given to every request for it. */
export interface Placement {
  answer?: Exclude<PlacementResult, { outcome: 'idempotency_key_reused' }>;
  /** Requests for it so far: every one after the first (a retry, or a concurrent twin) is a replay. */
  requests: number;
}

/** What callers asked of the saga: the handlers set these, the saga's steps wait on them. */
export interface Requests {
  /** The customer's cancel (cancelOrder update). */
  customerCancel: boolean;
  /** A Temporal-level cancel (Web UI, CLI). */
  operatorCancel: boolean;
  /** An operator's retry of the failed compensations (retryCompensation update), not yet acted on. */
  compensationRetry: boolean;
}

/** The parts of the saga its handlers read and change. */
export interface HandledSaga {
  input: OrderWorkflowInput;
  order: OrderRecord;
  placement: Placement;
  requests: Requests;
  compensations: CompensationStack;
  paymentEvents: PaymentEvents;
  refusedRefunds: RefusedRefunds;
  hold: PaymentHold;
  fulfilment: Fulfilment;
  view(): OrderSagaState;
}

/**
 * How the outside reaches a running saga: the query, the placement, the customer's cancel, the provider's events,
 * the refusal of a late-payment refund it started, an operator's retry and a Temporal-level cancel. Handlers only record what was asked (and answer once the saga has
 * acted); the saga's steps do the work.
 */
export function registerSagaHandlers({ input, order, placement, requests, compensations, paymentEvents, refusedRefunds, hold, fulfilment, view }: HandledSaga): void {
  setHandler(orderStateQuery, view);

  setHandler(placeOrderUpdate, async ({ requestFingerprint }) => {
    if (requestFingerprint !== input.requestFingerprint) return { outcome: 'idempotency_key_reused' };
    const replayed = placement.requests++ > 0;
    await condition(() => placement.answer !== undefined);
    return { ...placement.answer!, replayed };
  });

  setHandler(
    cancelOrderUpdate,
    async (request): Promise<CancelResult> => {
      // Some units of an order with goods that ship: those go, the rest goes on.
      if (request.items && !fulfilment.cancelsEverything(request.items)) {
        const { status, amountCents } = await fulfilment.cancelItems(request.items);
        return { outcome: 'items_cancelled', status, amountCents };
      }
      if (order.status === 'CANCELLED') return { outcome: 'already_cancelled', status: order.status };
      requests.customerCancel = true;
      await condition(() => order.status === 'CANCELLED' || order.status === 'REFUNDED' || order.status === 'NEEDS_ATTENTION' || order.status === 'REJECTED');
      const outcome = order.status === 'REFUNDED' ? 'refunded' : order.status === 'NEEDS_ATTENTION' ? 'needs_attention' : 'cancelled';
      return { outcome, status: order.status };
    },
    {
      validator: (request) => {
        if (request.items) {
          fulfilment.checkItemsCancel(request.items);
          if (!fulfilment.cancelsEverything(request.items)) return;
        }
        if (order.status === 'CANCELLED') return;
        // Goods that ship can be cancelled until the first dispatch (one under way counts).
        if (!isCancellable(order.status) || order.refunding || fulfilment.anyDispatched) {
          const what = order.refunding ? 'being refunded' : fulfilment.anyDispatched ? 'being shipped' : order.status;
          throw ApplicationFailure.create({ type: NOT_CANCELLABLE, message: `an order that is ${what} cannot be cancelled`, nonRetryable: true });
        }
      },
    },
  );

  setHandler(paymentEventSignal, (event) => paymentEvents.receive(event));

  setHandler(refundRefusedSignal, ({ paymentId }) => refusedRefunds.report(paymentId));

  setHandler(
    retryCompensationUpdate,
    () => {
      requests.compensationRetry = true;
      return { accepted: true as const };
    },
    {
      validator: () => {
        if (order.status !== 'NEEDS_ATTENTION' || compensations.failed.length === 0) {
          throw ApplicationFailure.create({ type: NOT_RETRYABLE, message: 'the order has no failed compensation to retry', nonRetryable: true });
        }
      },
    },
  );

  setHandler(
    captureOrderUpdate,
    async (): Promise<CaptureResult> => {
      hold.captureRequested = true;
      // Captured, refused (the hold lapsed), or overtaken by a cancel that came first.
      await condition(() => hold.captured || hold.expired || order.status !== 'PAID');
      const outcome = hold.captured ? 'captured' : hold.expired ? 'authorization_expired' : 'not_captured';
      return { outcome, status: order.status, paymentStatus: order.paymentStatus };
    },
    {
      validator: () => {
        if (order.status !== 'PAID' || !hold.uncaptured || order.refunding || requests.customerCancel) {
          throw ApplicationFailure.create({ type: NOT_CAPTURABLE, message: 'the order has no authorized payment left to capture', nonRetryable: true });
        }
      },
    },
  );

  fulfilment.register();

  CancellationScope.current().cancelRequested.catch(() => {
    requests.operatorCancel = true;
  });
}
