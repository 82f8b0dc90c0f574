import { ownerOf, selfTimes } from '../../bench/profile-summary';

// The profile summary attributes each sample's time to the frame it was taken in, grouped by who owns the code.
describe('CPU profile summary', () => {
  it('names the owner of a frame: a package, a project folder, Node, or V8 itself', () => {
    expect(ownerOf('file:///app/node_modules/@temporalio/worker/lib/worker.js', 'run')).toBe('@temporalio/worker');
    expect(ownerOf('file:///app/node_modules/pino/lib/tools.js', 'write')).toBe('pino');
    expect(ownerOf('node:internal/streams/writable', 'write')).toBe('node internals');
    expect(ownerOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(ownerOf('', 'writeBuffer')).toBe('(native)');
    expect(ownerOf(`file://${process.cwd()}/src/orders/placement.ts`, 'place')).toBe('project: src/orders');
    expect(ownerOf(`file://${process.cwd()}/.data/compiled/src/orders/placement.js`, 'place')).toBe('project: src/orders');
    expect(ownerOf(`file://${process.cwd()}/dist/src/api/main.js`, 'main')).toBe('project: src/api');
  });

  it('sums self time per owner and per function, leaving idle time out', () => {
    const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 0 } });
    const profile = {
      nodes: [frame(1, '(idle)', ''), frame(2, 'write', 'node:fs'), frame(3, 'info', 'file:///x/node_modules/pino/pino.js')],
      samples: [1, 2, 3, 3, 2, 1],
      timeDeltas: [5000, 1000, 2000, 2000, 1000, 5000],
    };
    const { total, byOwner } = selfTimes(profile);
    expect(total).toBe(6);
    expect(Object.fromEntries(byOwner)).toEqual({ 'node internals': 2, pino: 4 });
  });
});
