// Every workflow the worker registers. Workflow files import activity *types* only.
export { orderWorkflow } from './order/workflow';
export { refundLatePaymentWorkflow } from './refund';
export { retryRefundWorkflow } from './refund-retry';
export { operatorRefundWorkflow } from './operator-refund';
export { disputeWorkflow } from './dispute';
