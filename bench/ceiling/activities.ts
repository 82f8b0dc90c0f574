import type { CeilingActivities } from './workflow';

/** The ceiling workflow's activities (bench/saga.ts): they do nothing, so what is measured is the engine alone. */
export function createCeilingActivities(): CeilingActivities {
  return {
    async ceilingRecord() {},
    async ceilingReserve() {
      return { totalCents: 2500 };
    },
    async ceilingRequestPayment(id) {
      return { paymentId: `pay_${id}` };
    },
    async ceilingCommit() {},
    async ceilingNotify() {},
  };
}
