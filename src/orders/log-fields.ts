import { orderWorkflowId } from '../../workflows/order/definitions';

/** The fields every log line about an order carries, so one filter finds the API's and the worker's lines alike. */
export function orderLogFields(orderId: string): { orderId: string; workflowId: string } {
  return { orderId, workflowId: orderWorkflowId(orderId) };
}
