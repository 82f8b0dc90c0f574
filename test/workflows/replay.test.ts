import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { temporalReplayOptions } from '../../src/temporal/options';
import { testConfig } from '../harness/env';
import { recordedShape } from '../histories/shape';

// Replays committed histories of the saga's main paths against today's workflow code: a change that would break
// sagas already running (non-determinism) fails here. Refresh them with `npm run histories:record` after an
// intended, compatible change (or version the change with patched()). A history of a saga that began before a
// patch, named after it (`…-before-<patch>-patch.json`), is never re-recorded: it stands for the sagas still open
// from then, until the patch is deprecated.
const dir = path.resolve(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replaying recorded order saga histories', () => {
  it('has histories for the main paths', () => {
    const names = files.map((f) => f.replace('.json', ''));
    expect(names).toEqual(
      expect.arrayContaining([
        ...['paid-completed', 'declined', 'payment-timeout', 'cancel-before-payment', 'cancel-after-paid-refunded', 'rejected', 'compensation-failed-then-retried'],
        ...['stray-success-refunded', 'lost-webhook-reconciled-paid', 'operator-cancel-after-paid', 'payment-request-failed', 'refund-failed-then-retried'],
        // a late-payment refund the saga started, refused as another order's payment, and the refund that told it
        ...['refund-refused-while-refunding', 'refund-refused-told-saga'],
        // a Temporal cancel after payment, on a saga that began before order-saga-refund-wait-after-cancel
        'operator-cancel-after-paid-before-refund-wait-patch',
        // a disputed order's dispute workflow: opened then won; a close that came before its open
        'disputed-won',
        'disputed-lost-close-first',
        // manual capture (order-saga-manual-capture): captured before the hold's TTL, then completed; voided on cancel
        ...['manual-capture-completed', 'manual-capture-cancelled-voided'],
        // goods that ship (order-saga-fulfilment): shipped, delivered, returned; a line cancelled, the rest completed
        ...['shipped-delivered-returned', 'line-cancelled-shipped-completed'],
      ]),
    );
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! }, ...temporalReplayOptions(testConfig()) }, history, `replay-${file}`),
    ).resolves.toBeUndefined();
  });

  // What an order costs Temporal, read from the histories above (deterministic: no timing involved). The saga's
  // steps write their own statuses and run as local activities; these budgets keep it that lean.
  it('a shipped, delivered and returned order keeps a short history: each request a handful of events', () => {
    const shipped = recordedShape('shipped-delivered-returned');
    expect(shipped.events).toBeLessThanOrEqual(150);
  });

  it('a paid order takes at most 32 history events and 5 workflow tasks', () => {
    const paid = recordedShape('paid-completed');
    expect(paid.events).toBeLessThanOrEqual(32);
    expect(paid.workflowTasks).toBeLessThanOrEqual(5);
  });
});
