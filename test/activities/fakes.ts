import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import type { Notifier, SendNotificationInput } from '../../src/payments/notifier';
import type { Payment, PaymentProvider } from '../../src/payments/payment-provider';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { fakeEntityManager } from '../harness/fake-entity-manager';

/**
 * In-memory stand-ins for what the order activities are built from (createOrderActivities' dependencies), for
 * testing the activities' own decisions without a provider, a notifier or a database.
 */

/** A payment service provider's ledger: just enough of one for the payment and compensation activities. */
export function fakeProvider() {
  const ledger = new Map<string, Payment>();
  /** Idempotency keys of the refunds asked for, in order. */
  const refundKeys: string[] = [];
  /** Idempotency keys of the captures asked for, in order. */
  const captureKeys: string[] = [];
  const refundAnswer: { status?: Payment['status'] } = {};
  /** Called when a void reaches the provider, before it answers (to let the payment move on first). */
  const beforeVoid: { run?: (payment: Payment) => void } = {};
  const provider: PaymentProvider = {
    acceptsPaymentMethod: () => true,
    async createPayment(input) {
      const payment: Payment = { id: `pay_${randomUUID()}`, status: 'pending', orderId: input.orderId, customerId: input.customerId, amountCents: input.amountCents, currency: input.currency };
      ledger.set(payment.id, payment);
      return { ...payment };
    },
    async getPayment(id) {
      const p = ledger.get(id);
      return p && { ...p };
    },
    async listPayments(orderId) {
      return [...ledger.values()].filter((p) => p.orderId === orderId).map((p) => ({ ...p }));
    },
    async voidPayment(id) {
      const p = ledger.get(id)!;
      beforeVoid.run?.(p);
      if (p.status === 'succeeded') throw new PaymentProviderError({ code: 'not_voidable', message: 'succeeded', status: 409, retryable: false });
      if (p.status === 'pending' || p.status === 'authorized') p.status = 'voided';
      return { ...p };
    },
    async capturePayment(id, { amountCents, idempotencyKey }) {
      const p = ledger.get(id)!;
      captureKeys.push(idempotencyKey);
      if (p.failureReason === 'authorization_expired') throw new PaymentProviderError({ code: 'authorization_expired', message: 'expired', status: 409, retryable: false });
      if (p.status === 'authorized') Object.assign(p, { status: 'succeeded', capturedCents: amountCents });
      else if (p.status !== 'succeeded') throw new PaymentProviderError({ code: 'not_capturable', message: p.status, status: 409, retryable: false });
      return { ...p };
    },
    async refundPayment(id, idempotencyKey) {
      const p = ledger.get(id)!;
      refundKeys.push(idempotencyKey);
      if (p.status !== 'succeeded' && p.status !== 'refunded') throw new PaymentProviderError({ code: 'not_refundable', message: p.status, status: 409, retryable: false });
      p.status = refundAnswer.status ?? 'refunded';
      return { ...p };
    },
    async refundPart({ paymentId, amountCents, idempotencyKey }) {
      const p = ledger.get(paymentId)!;
      refundKeys.push(idempotencyKey);
      if (p.status !== 'succeeded') throw new PaymentProviderError({ code: 'not_refundable', message: p.status, status: 409, retryable: false });
      return { id: `re_${idempotencyKey}`, amountCents, status: 'succeeded' };
    },
  };
  /** A payment the provider already holds for the order, in the given status. */
  const add = (orderId: string, status: Payment['status']) => {
    const payment: Payment = { id: `pay_${randomUUID()}`, status, orderId, customerId: 'c', amountCents: 1000, currency: 'EUR' };
    ledger.set(payment.id, payment);
    return payment.id;
  };
  const statusOf = (id: string) => ledger.get(id)?.status;
  /** The hold of an authorized payment lapses (manual capture): it is voided, and a capture is refused. */
  const lapse = (id: string) => Object.assign(ledger.get(id)!, { status: 'voided', failureReason: 'authorization_expired' });
  return { provider, add, statusOf, lapse, refundKeys, captureKeys, refundAnswer, beforeVoid };
}

/** A notifier that records what it was asked to send, and fails with `failWith` while that is set. */
export function fakeNotifier() {
  const sent: SendNotificationInput[] = [];
  const state: { failWith?: Error } = {};
  const notifier: Notifier = {
    async send(input) {
      sent.push(input);
      if (state.failWith) throw state.failWith;
      return { id: `ntf_${sent.length}` };
    },
    async list() {
      return [];
    },
  };
  return { notifier, sent, state };
}

/** A notification outcome as the activity recorded it (src/orders/notification-store.ts, in its column order). */
export interface RecordedNotification {
  orderId: string;
  kind: string;
  idempotencyKey: string;
  recipient: string;
  status: string;
  attempts: number;
  lastError: string | null;
  providerNotificationId: string | null;
}

/**
 * An Orm whose every EntityManager only records the statements it is given (and answers no rows): enough for the
 * activities whose database part is one write, which the tests read back through the helpers below.
 */
export function recordingOrm() {
  const statements: { sql: string; params: unknown[] }[] = [];
  const execute = async (sql: string, params: unknown[] = []) => {
    statements.push({ sql: sql.replace(/\s+/g, ' ').trim(), params });
    return [];
  };
  const em = fakeEntityManager(execute);
  const writes = (prefix: string) => statements.filter((s) => s.sql.startsWith(prefix)).map((s) => s.params);
  return {
    orm: { em } as unknown as Orm,
    statements,
    /** [orderId, paymentId] of every "this order's payment is refunded" the activities wrote. */
    refundsMarked: () => writes("UPDATE orders SET payment_status = 'refunded'"),
    notificationsRecorded: (): RecordedNotification[] =>
      writes('INSERT INTO notifications').map(([orderId, kind, idempotencyKey, recipient, status, attempts, lastError, providerNotificationId]) => ({
        orderId,
        kind,
        idempotencyKey,
        recipient,
        status,
        attempts,
        lastError,
        providerNotificationId,
      })) as RecordedNotification[],
  };
}
