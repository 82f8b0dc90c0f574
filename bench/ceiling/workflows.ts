// The bench worker's workflows: the product's, the no-op ceiling of the same shape, and the earlier saga as a
// variant of its own (--variants).
export * from '../../workflows';
export { ceilingWorkflow } from './workflow';
export { legacyOrderWorkflow } from '../variants/legacy-order-workflow';
