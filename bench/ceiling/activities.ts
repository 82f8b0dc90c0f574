import type { Pool } from 'pg';
import type { CeilingActivities } from './workflow';

/**
 * The ceiling workflow's activities (bench/saga.ts): they do nothing, so what is measured is the engine alone.
 * For the ceiling-waits leg (`waits`, and a pool to wait on) each makes as many round trips as the saga's activity it
 * stands in for makes (statements and provider calls), each one a `SELECT 1`: the engine with the saga's waits on I/O
 * and none of its work, so a run shows what waiting costs apart from what is waited for.
 */
export function createCeilingActivities(roundTrips?: Pool): CeilingActivities {
  const wait = async (waits: true | undefined, count: number) => {
    if (!waits || !roundTrips) return;
    for (let i = 0; i < count; i++) await roundTrips.query({ name: 'ceiling_round_trip', text: 'SELECT 1' });
  };
  return {
    // createOrderRecord: its insert; recordOrderStatus: its status write.
    async ceilingRecord(_id, _status, waits) {
      await wait(waits, 1);
    },
    // reserveOrderStock: the reservation, then the RESERVED write.
    async ceilingReserve(_id, waits) {
      await wait(waits, 2);
      return { totalCents: 2500 };
    },
    // requestPayment: the provider's charge, then the AWAITING_PAYMENT write.
    async ceilingRequestPayment(id, waits) {
      await wait(waits, 2);
      return { paymentId: `pay_${id}` };
    },
    // commitOrderStock: PAID with the sale in one statement.
    async ceilingCommit(_id, waits) {
      await wait(waits, 1);
    },
    // sendNotification: the provider's send, then the notification's record.
    async ceilingNotify(_id, waits) {
      await wait(waits, 2);
    },
  };
}
