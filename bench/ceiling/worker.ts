// The bench's worker: the production worker (src/worker/main.ts) with the ceiling workflow and its no-op activities
// registered beside the product's, so both legs of `npm run bench` run on the same worker and task queue.
import { runWorkerProcess } from '../../src/worker/main';
import { createCeilingActivities } from './activities';

runWorkerProcess({ workflowsPath: require.resolve('./workflows'), extraActivities: createCeilingActivities() });
