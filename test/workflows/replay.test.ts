import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { temporalReplayOptions } from '../../src/temporal/options';
import { testConfig } from '../harness/env';
import { ORDER_KINDS, recordedShape } from '../histories/shape';

// Replays committed histories of the saga's main paths against today's workflow code: a change that would break
// sagas already running (non-determinism) fails here. Refresh them with `npm run histories:record` after an
// intended, compatible change (or version the change with patched()). v1-*.json were recorded by the saga before
// the order-saga-v2 marker, v2-*.json by earlier versions of it; they are never re-recorded.
const dir = path.resolve(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replaying recorded order saga histories', () => {
  it('has histories for the main paths', () => {
    const main = ['paid-completed', 'declined', 'payment-timeout', 'cancel-before-payment', 'cancel-after-paid-refunded', 'rejected', 'compensation-failed-then-retried'];
    const names = files.map((f) => f.replace('.json', ''));
    // the current saga's shapes, and those of sagas started by the earlier code (v1-*), which must keep replaying
    expect(names).toEqual(expect.arrayContaining([...main, ...main.map((n) => `v1-${n}`)]));
    expect(names).toEqual(expect.arrayContaining(['stray-success-refunded', 'lost-webhook-reconciled-paid', 'operator-cancel-after-paid', 'payment-request-failed', 'refund-failed-then-retried']));
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! }, ...temporalReplayOptions(testConfig()) }, history, `replay-${file}`),
    ).resolves.toBeUndefined();
  });

  // What an order costs Temporal, read from the histories above (deterministic: no timing involved). The current
  // saga's steps write their own statuses and run as local activities; these budgets keep it that lean.
  it('a paid order takes at most 32 history events and 5 workflow tasks', () => {
    const paid = recordedShape('paid-completed');
    expect(paid.events).toBeLessThanOrEqual(32);
    expect(paid.workflowTasks).toBeLessThanOrEqual(5);
  });

  it.each(ORDER_KINDS.map((k) => [k.kind, k.history]))('%s: fewer events and workflow tasks than the earlier saga', (_kind, history) => {
    const before = recordedShape(`v1-${history}`);
    const now = recordedShape(history);
    expect(now.events).toBeLessThan(before.events);
    expect(now.workflowTasks).toBeLessThan(before.workflowTasks);
  });
});
