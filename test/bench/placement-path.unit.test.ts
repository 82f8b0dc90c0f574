import type { MeasuredPlacement, PathEvent } from '../../bench/lib/placement-path';
import { pathRows, placementSteps, placementTimeline } from '../../bench/lib/placement-path';

// bench:placement-path reads each placement's steps off its workflow history. These histories are written by hand in
// the shape the server gives them: a task's local-activity markers follow its WorkflowTaskCompleted event, and
// carry their completion in the workflow's time in their JSON data.

const T0 = 1_765_000_000_000; // epoch ms of the workflow's start
const at = (ms: number) => ({ seconds: String(Math.floor((T0 + ms) / 1000)), nanos: ((T0 + ms) % 1000) * 1e6 });
const event = (eventType: number, ms: number, extra: Partial<PathEvent> = {}): PathEvent => ({ eventType, eventTime: at(ms), ...extra });
const marker = (ms: number, type: string, completeAtMs: number, markerName = 'core_local_activity'): PathEvent =>
  event(25, ms, {
    markerRecordedEventAttributes: {
      markerName,
      details: {
        data: { payloads: [{ data: Buffer.from(JSON.stringify({ seq: 1, activity_type: type, complete_time: new Date(T0 + completeAtMs).toISOString() })) }] },
      },
    },
  });

/** A paid order's first workflow task: three local activities, the update answered, then the signal's task. */
const paidHistory: PathEvent[] = [
  event(1, 0), // started
  event(5, 0), // task scheduled
  event(6, 3), // task started
  event(7, 40), // task completed
  marker(40, 'createOrderRecord', 6),
  marker(40, 'reserveOrderStock', 12),
  marker(40, 'requestPayment', 20),
  event(40, 40), // a search-attribute upsert: not on the path
  event(41, 40), // update accepted
  event(43, 42), // update completed
  event(6, 60), // the signal's task started
  event(7, 70),
  marker(70, 'commitOrderStock', 65),
];

describe('the placement path read off a history', () => {
  it("takes the first workflow task's points, its local activities in order, and the update's answer", () => {
    expect(placementTimeline(paidHistory)).toEqual({
      started: T0,
      taskStarted: T0 + 3,
      localActivities: [
        { type: 'createOrderRecord', completed: T0 + 6 },
        { type: 'reserveOrderStock', completed: T0 + 12 },
        { type: 'requestPayment', completed: T0 + 20 },
      ],
      taskCompleted: T0 + 40,
      updateCompleted: T0 + 42,
    });
  });

  it('leaves out markers that are not local activities (a patch marker)', () => {
    const withPatch = [...paidHistory.slice(0, 4), marker(40, 'unused', 1, 'core_patch'), ...paidHistory.slice(4)];
    expect(placementTimeline(withPatch)?.localActivities.map((la) => la.type)).toEqual(['createOrderRecord', 'reserveOrderStock', 'requestPayment']);
  });

  it('has no path when the history lacks the update’s answer (cut short, or never answered)', () => {
    expect(placementTimeline(paidHistory.filter((e) => e.eventType !== 43))).toBeUndefined();
  });

  it('splits the placement into steps, each from the point before it', () => {
    const timeline = placementTimeline(paidHistory)!;
    const steps = placementSteps({ sent: T0 - 5, answered: T0 + 45, timeline });
    expect(steps).toEqual([
      { step: 'client → workflow started', ms: 5 },
      { step: 'started → first workflow task taken', ms: 3 },
      { step: 'local activity 1: its run', ms: 3 },
      { step: 'local activity 2: its run', ms: 6 },
      { step: 'local activity 3: its run', ms: 8 },
      { step: 'the rest of the task: workflow code, completion → server', ms: 20 },
      { step: '→ update answered (server)', ms: 2 },
      { step: '→ client has its answer', ms: 3 },
    ]);
    // Together the steps are the whole placement.
    expect(steps.reduce((sum, s) => sum + s.ms, 0)).toBe(50);
  });

  it('gives each leg’s median per step, the whole placement last, and none for a step a leg does not have', () => {
    const timeline = placementTimeline(paidHistory)!;
    const placement = (sent: number, answered: number): MeasuredPlacement => ({ sent: T0 - sent, answered: T0 + answered, timeline });
    const noLocalActivity: MeasuredPlacement = { sent: T0 - 1, answered: T0 + 10, timeline: { ...timeline, localActivities: [], taskCompleted: T0 + 8, updateCompleted: T0 + 9 } };
    const rows = pathRows([[placement(4, 44), placement(5, 45), placement(9, 60)], [noLocalActivity]]);
    expect(rows.map((r) => r.step)).toEqual([
      'client → workflow started',
      'started → first workflow task taken',
      'local activity 1: its run',
      'local activity 2: its run',
      'local activity 3: its run',
      'the rest of the task: workflow code, completion → server',
      '→ update answered (server)',
      '→ client has its answer',
      'whole placement',
    ]);
    const row = (step: string) => rows.find((r) => r.step === step)!.medians;
    expect(row('client → workflow started')).toEqual([5, 1]);
    expect(row('→ client has its answer')).toEqual([3, 1]);
    expect(row('local activity 1: its run')).toEqual([3, undefined]);
    expect(row('the rest of the task: workflow code, completion → server')).toEqual([20, 5]);
    expect(row('whole placement')).toEqual([50, 11]);
  });
});
