// The shape of the order saga's recorded histories: what each kind of order costs Temporal. Deterministic (it counts
// events in the committed histories, no server needed), so it compares the earlier saga (v1-*.json) with the current
// one side by side: `npm run histories:shape`.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface HistoryShape {
  /** History events, start to close. */
  events: number;
  /** Workflow tasks: each one a round trip server → worker (replay) → server. */
  workflowTasks: number;
  /** Activity tasks scheduled through the server's task queue. */
  activityTasks: number;
  /** Local activities: run by the worker inside a workflow task, one marker each. */
  localActivities: number;
}

interface HistoryEvent {
  eventType: string;
  markerRecordedEventAttributes?: { markerName?: string };
}

export function historyShape(events: readonly HistoryEvent[]): HistoryShape {
  const count = (type: string) => events.filter((e) => e.eventType === type).length;
  return {
    events: events.length,
    workflowTasks: count('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'),
    activityTasks: count('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'),
    localActivities: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
  };
}

/** The kinds of order the bench and the README report, and the recorded history that stands for each. */
export const ORDER_KINDS = [
  { kind: 'paid', history: 'paid-completed' },
  { kind: 'declined', history: 'declined' },
  { kind: 'timeout', history: 'payment-timeout' },
  { kind: 'cancelled before payment', history: 'cancel-before-payment' },
  { kind: 'refunded', history: 'cancel-after-paid-refunded' },
] as const;

export function recordedShape(name: string): HistoryShape {
  const history = JSON.parse(readFileSync(path.join(__dirname, `${name}.json`), 'utf8')) as { events: HistoryEvent[] };
  return historyShape(history.events);
}

function main() {
  const cell = (s: HistoryShape) => `${s.events} / ${s.workflowTasks} / ${s.activityTasks} / ${s.localActivities}`;
  console.log('events / workflow tasks / activity tasks / local activities per order');
  console.log('| kind | earlier saga (v1) | current saga |');
  console.log('|---|---|---|');
  for (const { kind, history } of ORDER_KINDS) {
    console.log(`| ${kind} | ${cell(recordedShape(`v1-${history}`))} | ${cell(recordedShape(history))} |`);
  }
}

if (require.main === module) main();
