// The bench worker's workflows: the product's, and the no-op ceiling of the same shape.
export * from '../../workflows';
export { ceilingWorkflow } from './workflow';
