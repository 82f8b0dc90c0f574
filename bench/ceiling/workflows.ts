// The bench worker's workflows: the product's, and the no-op ceiling of the same shape beside them.
export * from '../../workflows';
export { ceilingWorkflow } from './workflow';
