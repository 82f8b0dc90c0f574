// The bench's worker: the production worker (src/worker/main.ts) with the ceiling workflow and its no-op activities
// registered beside the product's, so both legs of `npm run bench` run on the same worker and task queue.
import { Pool } from 'pg';
import { runWorkerProcess } from '../../src/worker/main';
import { createCeilingActivities } from './activities';

// What the ceiling-waits leg's activities wait on; a pool connects only when first used, so other legs open nothing.
const roundTrips = new Pool({ connectionString: process.env.DATABASE_URL, application_name: 'bench-ceiling-waits', max: 10 });

runWorkerProcess({ workflowsPath: require.resolve('./workflows'), extraActivities: createCeilingActivities(roundTrips) });
