// Every workflow the worker registers. Workflow files import activity *types* only.
export { orderWorkflow } from './order/workflow';
export { refundLatePaymentWorkflow } from './refund';
export { ceilingWorkflow } from './ceiling'; // bench/saga.ts: the engine's ceiling for the saga's shape
