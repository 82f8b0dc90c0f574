/**
 * Which stacks the bench runs side by side, and in what order measured runs go. Stacks that differ only in their
 * --compare setting are up together and take turns: A, B, then B, A, and so on; so do the legs on one stack (ours,
 * the ceiling, then the ceiling, ours). The machine's speed drifts by tens of percent within minutes here: stacks
 * benched one after another carried that drift into every ratio between settings, and a fixed order of legs would
 * give whatever the first one leaves behind to the second every time. Alternating spreads both over every side alike.
 */
import type { StackConfiguration } from './options';

/**
 * The configurations grouped by everything but their --compare setting, in order. Without --compare, one per group.
 * Stacks on the PostgreSQL-backed Temporal server stay one per group: each cluster keeps 30–40 connections open under
 * load (pools of 20 per service to its store, 10 to visibility), and in a trial two of them beside the stacks' own
 * pools reached 98 of PostgreSQL's default max_connections of 100, and a placement got 503.
 */
export function stackGroups(configurations: StackConfiguration[]): StackConfiguration[][] {
  const groups = new Map<string, StackConfiguration[]>();
  for (const config of configurations) {
    const key = JSON.stringify({ ...config, setting: config.persistence === 'postgres' ? config.setting : undefined });
    groups.set(key, [...(groups.get(key) ?? []), config]);
  }
  return [...groups.values()];
}

/** Stacks (or one stack's legs) in the order of measured run number `run`, from 0: forwards, then backwards, in turn. */
export function runOrder<T>(stacks: readonly T[], run: number): T[] {
  return run % 2 === 0 ? [...stacks] : [...stacks].reverse();
}

/** The database of a group's stack at `index`: the bench database for the first, `<name>_<index + 1>` for the others. */
export function stackDatabaseUrl(databaseUrl: string, index: number): string {
  if (index === 0) return databaseUrl;
  const url = new URL(databaseUrl);
  url.pathname = `${url.pathname}_${index + 1}`;
  return url.toString();
}
