import { temporal } from '@temporalio/proto';
import { summarize } from './stats';

/**
 * Where one placement's time goes, read off its workflow's history: when the server started the workflow, when the
 * worker took its first workflow task, how long each of that task's local activities ran, when the server received
 * the task's completion, and when the update's answer was written. Every process runs on the bench's one machine, so
 * the server's and the worker's clocks are the same clock.
 *
 * A local activity's marker holds a `complete_time` that is not the wall-clock moment it completed: the SDK's core
 * writes the workflow's own time (the task's start, moved on by each local activity's run) plus the activity's run
 * from being scheduled to its result. Checked against the core's trace log on a bare worker: the markers' times
 * advance by each activity's run alone, while the workflow code's activations between them are not in them. So each
 * local activity's step is its own run (its wait for a slot, the trip to the activity worker, its body), and what the
 * workflow code's activations take lands in the step after the last one, with the completion's trip to the server.
 */

const { EventType } = temporal.api.enums.v1;

/** The parts of a history event read here (as `fetchHistory()` returns them). */
export interface PathEvent {
  eventType?: number | null;
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: { data?: Uint8Array | null }[] | null } | null | undefined> | null;
  } | null;
}

/** The placement's timeline in epoch milliseconds, each point on the path in the order it happens. */
export interface PlacementTimeline {
  started: number;
  taskStarted: number;
  /** The first workflow task's local activities, in the order they ran; `completed` in the workflow's time (above). */
  localActivities: { type: string; completed: number }[];
  taskCompleted: number;
  updateCompleted: number;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Epoch ms with the nanoseconds kept (the SDK's tsToMs floors to whole ms, coarser than the steps measured here). */
function epochMs(t: PathEvent['eventTime']): number {
  if (!t) return NaN;
  return Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6;
}

/** A local activity's marker data: written by the SDK's core as plain JSON (never through the payload codec). */
function markerData(e: PathEvent): { type: string; completed: number } | undefined {
  const attributes = e.markerRecordedEventAttributes;
  if (attributes?.markerName !== LOCAL_ACTIVITY_MARKER) return undefined;
  const data = attributes.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as {
    activity_type: string;
    complete_time: string | { seconds: number | string; nanos?: number };
  };
  const t = parsed.complete_time;
  return { type: parsed.activity_type, completed: typeof t === 'string' ? Date.parse(t) : epochMs(t) };
}

/**
 * The timeline of the placement (the first workflow task, which answers the update-with-start), or undefined when
 * the history lacks a point of it (the update was answered in a later task, or the history is cut short).
 */
export function placementTimeline(events: readonly PathEvent[]): PlacementTimeline | undefined {
  let started: number | undefined;
  let taskStarted: number | undefined;
  let taskCompleted: number | undefined;
  let updateCompleted: number | undefined;
  const localActivities: PlacementTimeline['localActivities'] = [];
  let tasks = 0;
  for (const e of events) {
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        started = epochMs(e.eventTime);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        tasks++;
        if (tasks === 1) taskStarted = epochMs(e.eventTime);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        if (tasks === 1) taskCompleted = epochMs(e.eventTime);
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED: {
        // A task's markers follow its WorkflowTaskCompleted event.
        const marker = tasks === 1 ? markerData(e) : undefined;
        if (marker) localActivities.push(marker);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        updateCompleted ??= epochMs(e.eventTime);
        break;
      default:
    }
  }
  if (started === undefined || taskStarted === undefined || taskCompleted === undefined || updateCompleted === undefined) return undefined;
  // The update must be the first task's answer for the steps below to be the placement's path.
  if (updateCompleted < taskCompleted) return undefined;
  return { started, taskStarted, localActivities, taskCompleted, updateCompleted };
}

/** One placement as its client saw it (epoch ms) and as its history has it. */
export interface MeasuredPlacement {
  sent: number;
  answered: number;
  timeline: PlacementTimeline;
}

/** The steps of the path, each the time from the point before it; the local activities' by their position. */
export function placementSteps(p: MeasuredPlacement): { step: string; ms: number }[] {
  const { timeline: t } = p;
  const steps = [
    { step: 'client → workflow started', ms: t.started - p.sent },
    { step: 'started → first workflow task taken', ms: t.taskStarted - t.started },
  ];
  let previous = t.taskStarted;
  t.localActivities.forEach((la, i) => {
    steps.push({ step: `local activity ${i + 1}: its run`, ms: la.completed - previous });
    previous = la.completed;
  });
  steps.push(
    { step: 'the rest of the task: workflow code, completion → server', ms: t.taskCompleted - previous },
    { step: '→ update answered (server)', ms: t.updateCompleted - t.taskCompleted },
    { step: '→ client has its answer', ms: p.answered - t.updateCompleted },
  );
  return steps;
}

export interface PathRow {
  step: string;
  /** Median per leg; undefined where a leg has no such step. */
  medians: (number | undefined)[];
}

/**
 * Median of each step per leg (legs in the order given), steps in path order, and the median whole placement last.
 * The medians of the steps need not add up to the median total.
 */
export function pathRows(legs: readonly (readonly MeasuredPlacement[])[]): PathRow[] {
  const order: string[] = [];
  const byLeg = legs.map((placements) => {
    const values = new Map<string, number[]>();
    for (const p of placements) {
      for (const { step, ms } of [...placementSteps(p), { step: 'whole placement', ms: p.answered - p.sent }]) {
        if (!order.includes(step)) order.push(step);
        const samples = values.get(step);
        if (samples) samples.push(ms);
        else values.set(step, [ms]);
      }
    }
    return values;
  });
  // The total last, after every leg's steps (a leg with more local activities adds steps).
  const rows = order.filter((s) => s !== 'whole placement').concat('whole placement');
  return rows.map((step) => ({ step, medians: byLeg.map((values) => (values.has(step) ? summarize(values.get(step)!).p50 : undefined)) }));
}
