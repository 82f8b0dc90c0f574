// The bench's API for another saga variant: the production API (src/api/main.ts) whose placements start the workflow
// type named by BENCH_ORDER_WORKFLOW_TYPE instead of the product's, with the same input, id, policies and update.
// The bench worker must register that type (bench/ceiling/workflows.ts). See `npm run bench -- --help` (--variants).
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { runApiProcess } from '../../src/api/main';

const workflowType = process.env.BENCH_ORDER_WORKFLOW_TYPE;
if (!workflowType) {
  process.stderr.write('BENCH_ORDER_WORKFLOW_TYPE: name the workflow type this API starts for each order\n');
  process.exit(1);
}

const PRODUCT_TYPE = 'orderWorkflow';
const startVariant: WorkflowClientInterceptor = {
  startUpdateWithStart: (input, next) => next(input.workflowType === PRODUCT_TYPE ? { ...input, workflowType } : input),
  start: (input, next) => next(input.workflowType === PRODUCT_TYPE ? { ...input, workflowType } : input),
};

runApiProcess({ workflowInterceptors: [startVariant] });
