import { adaptiveInflightGate, inflightGate } from '../../src/inflight-gate';
import { ADAPTIVE_PLACEMENT_CAP, placementGate } from '../../src/orders/placement-gate';
import { loadConfig } from '../../src/config';

/** Enters and releases `n` placements, one after another (each completes now). */
function complete(gate: ReturnType<typeof adaptiveInflightGate>, n: number) {
  for (let i = 0; i < n; i++) gate.tryEnter()!();
}

describe('placement admission gate', () => {
  it('a fixed gate refuses once its cap is in flight and opens one place per release', () => {
    const gate = inflightGate(2);
    const a = gate.tryEnter()!;
    const b = gate.tryEnter()!;
    expect(gate.tryEnter()).toBeUndefined();
    a();
    a(); // a second release of the same place opens nothing
    expect(gate.inFlight).toBe(1);
    expect(gate.tryEnter()).toBeDefined();
    expect(gate.tryEnter()).toBeUndefined();
    b();
  });

  it('an idle adaptive gate admits its minimum at once, no more', () => {
    const clock = { t: 1_000_000 };
    const gate = adaptiveInflightGate({ min: 4, max: 100, deadlineMs: 5000, now: () => clock.t });
    const held = Array.from({ length: 4 }, () => gate.tryEnter());
    expect(held.every(Boolean)).toBe(true);
    expect(gate.tryEnter()).toBeUndefined();
    expect(gate.limit).toBe(4);
  });

  it('sizes itself to completions per second × the deadline, within its bounds', () => {
    const clock = { t: 1_000_000 };
    const gate = adaptiveInflightGate({ min: 4, max: 100, deadlineMs: 5000, now: () => clock.t });
    // 6 placements a second for 10 s: 6/s × 5 s = 30 may be in flight.
    for (let s = 0; s < 10; s++) {
      if (s > 0) clock.t += 1000;
      complete(gate, 6);
    }
    expect(gate.limit).toBe(30);
    const held = Array.from({ length: 30 }, () => gate.tryEnter());
    expect(held.every(Boolean)).toBe(true);
    expect(gate.tryEnter()).toBeUndefined();
    held.forEach((release) => release!());
    // A burst far above what the deadline allows is capped at `max`.
    complete(gate, 1000);
    expect(gate.limit).toBe(100);
  });

  it('forgets completions older than its window: a stalled system falls back to the minimum', () => {
    const clock = { t: 1_000_000 };
    const gate = adaptiveInflightGate({ min: 4, max: 100, deadlineMs: 5000, windowMs: 10_000, now: () => clock.t });
    complete(gate, 60);
    expect(gate.limit).toBe(30);
    clock.t += 5_000;
    expect(gate.limit).toBe(30); // still inside the window
    clock.t += 6_000;
    expect(gate.limit).toBe(4);
  });

  it('MAX_INFLIGHT_PLACEMENTS: auto by default, a number fixes the cap, anything else is refused by name', () => {
    const base = { NODE_ENV: 'test' };
    expect(loadConfig(base).MAX_INFLIGHT_PLACEMENTS).toBe('auto');
    expect(loadConfig({ ...base, MAX_INFLIGHT_PLACEMENTS: '24' }).MAX_INFLIGHT_PLACEMENTS).toBe(24);
    expect(() => loadConfig({ ...base, MAX_INFLIGHT_PLACEMENTS: 'lots' })).toThrow(/MAX_INFLIGHT_PLACEMENTS/);
    expect(() => loadConfig({ ...base, MAX_INFLIGHT_PLACEMENTS: '0' })).toThrow(/MAX_INFLIGHT_PLACEMENTS/);
    const fixed = placementGate({ MAX_INFLIGHT_PLACEMENTS: 3, PLACEMENT_DEADLINE: 5000 });
    expect(fixed.limit).toBe(3);
    expect(placementGate({ MAX_INFLIGHT_PLACEMENTS: 'auto', PLACEMENT_DEADLINE: 5000 }).limit).toBe(ADAPTIVE_PLACEMENT_CAP.min);
  });
});
