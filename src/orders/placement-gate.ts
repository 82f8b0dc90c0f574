import type { Config } from '../config';
import type { InflightGate } from '../inflight-gate';
import { adaptiveInflightGate, inflightGate } from '../inflight-gate';

/** The adaptive cap's bounds: 16 was the fixed default before, and stays what an idle process admits at once. */
export const ADAPTIVE_PLACEMENT_CAP = { min: 16, max: 256 } as const;

/**
 * This API process's cap on placements in flight (MAX_INFLIGHT_PLACEMENTS): a fixed number, or `auto`, which sizes it
 * from the placements the process completes and PLACEMENT_DEADLINE, so a steady rate below capacity is never shed
 * because a few seconds of it ran slow.
 */
export function placementGate(config: Pick<Config, 'MAX_INFLIGHT_PLACEMENTS' | 'PLACEMENT_DEADLINE'>): InflightGate {
  if (config.MAX_INFLIGHT_PLACEMENTS !== 'auto') return inflightGate(config.MAX_INFLIGHT_PLACEMENTS);
  return adaptiveInflightGate({ ...ADAPTIVE_PLACEMENT_CAP, deadlineMs: config.PLACEMENT_DEADLINE });
}
