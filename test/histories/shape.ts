// The shape of the order saga's recorded histories: what each kind of order costs Temporal. Deterministic (it counts
// events in the committed histories, no server needed): `npm run histories:shape`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { HistoryShape } from '../../bench/lib/shape';
import { historyShape } from '../../bench/lib/shape';

/** The kinds of order the bench and bench/README.md report, and the recorded history that stands for each. */
export const ORDER_KINDS = [
  { kind: 'paid', history: 'paid-completed' },
  { kind: 'declined', history: 'declined' },
  { kind: 'timeout', history: 'payment-timeout' },
  { kind: 'cancelled before payment', history: 'cancel-before-payment' },
  { kind: 'refunded', history: 'cancel-after-paid-refunded' },
] as const;

export function recordedShape(name: string): HistoryShape {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(__dirname, `${name}.json`), 'utf8')));
  return historyShape((history.events ?? []) as Parameters<typeof historyShape>[0]);
}

function main() {
  const cell = (s: HistoryShape) => `${s.events} / ${s.workflowTasks} / ${s.activityTasks} / ${s.localActivities}`;
  console.log('events / workflow tasks / activity tasks / local activities per order');
  console.log('| kind | saga |');
  console.log('|---|---|');
  for (const { kind, history } of ORDER_KINDS) {
    console.log(`| ${kind} | ${cell(recordedShape(history))} |`);
  }
}

if (require.main === module) main();
