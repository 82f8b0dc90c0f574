import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU and memory figures read from /proc (Linux), for processes this run started and for PostgreSQL's processes.
 * Everything shares two cores, so CPU-seconds per order says where the work goes better than wall time.
 */
let clockTicks: number | undefined;
function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

/** utime + stime of one process in seconds; undefined once it has gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Resident memory now and its high-water mark (VmHWM), in MiB. */
export function processMemoryMiB(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Busy CPU-seconds of the whole machine since boot (all cores; idle and iowait excluded). */
export function machineBusySeconds(): number {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const [user, nice, system, , , irq, softirq, steal] = cpu.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
}

/**
 * PostgreSQL processes that work for `databases`: their backends (title `postgres: 15/main: user db host(port) …`)
 * and autovacuum workers, plus the shared background writers (WAL writer, checkpointer, background writer),
 * which other databases on the server also use. `excludePids`: e.g. the benchmark's own polling connection.
 */
export function postgresPids(databases: string | readonly string[], excludePids: readonly number[] = []): { backends: number[]; background: number[] } {
  const names = typeof databases === 'string' ? [databases] : databases;
  const backends: number[] = [];
  const background: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (excludePids.includes(pid)) continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue;
    }
    const match = /^postgres: [^:]+: (.*)$/.exec(title);
    if (!match) continue;
    const rest = match[1];
    if (/^(walwriter|checkpointer|background writer)/.test(rest)) background.push(pid);
    else if (names.some((db) => rest.startsWith(`autovacuum worker ${db}`) || rest.split(' ')[1] === db)) backends.push(pid);
  }
  return { backends, background };
}

/**
 * CPU used by a changing set of processes between two snapshots: a process seen only at the end counts from its
 * start (it began inside the interval). Processes that exit in between are lost, so keep intervals short.
 */
export class CpuSnapshot {
  private constructor(private readonly seconds: Map<number, number>) {}

  static take(pids: readonly number[]): CpuSnapshot {
    const seconds = new Map<number, number>();
    for (const pid of pids) {
      const s = processCpuSeconds(pid);
      if (s !== undefined) seconds.set(pid, s);
    }
    return new CpuSnapshot(seconds);
  }

  /** CPU-seconds the processes in `later` (or those of them `only` holds) used since this snapshot. */
  until(later: CpuSnapshot, only?: ReadonlySet<number>): number {
    let total = 0;
    for (const [pid, s] of later.seconds) if (!only || only.has(pid)) total += s - (this.seconds.get(pid) ?? 0);
    return total;
  }
}
