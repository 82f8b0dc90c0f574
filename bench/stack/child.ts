import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here (one file per service, across restarts). */
  logFile: string;
  cwd?: string;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One process of a benchmark or chaos stack. Its output goes straight to a log file (not through this process, so
 * reading logs costs the measured system nothing); `waitForLog` tails that file for a readiness line.
 */
export class ManagedChild {
  readonly startedAt = performance.now();
  readonly exited: Promise<ChildExit>;
  private exit?: ChildExit;
  private readonly logOffset: number;

  private constructor(
    readonly spec: ChildSpec,
    private readonly child: ChildProcess,
    logOffset: number,
  ) {
    this.logOffset = logOffset;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  static start(spec: ChildSpec): ManagedChild {
    const fd = openSync(spec.logFile, 'a');
    const offset = statSync(spec.logFile).size;
    writeSync(fd, `\n--- ${new Date().toISOString()} ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', fd, fd] });
    closeSync(fd); // the child holds its own copy
    if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
    return new ManagedChild(spec, child, offset);
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The first line of this run's output holding `text`, and how many ms after spawn it was seen. */
  async waitForLog(text: string, timeoutMs: number): Promise<{ ms: number; line: string }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = this.readLog()
        .split('\n')
        .find((l) => l.includes(text));
      if (line !== undefined) return { ms: performance.now() - this.startedAt, line };
      if (!this.running) throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before logging ${text}; see ${this.spec.logFile}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${this.name} did not log ${text} within ${timeoutMs} ms; see ${this.spec.logFile}`);
  }

  /** This run's output so far. */
  readLog(): string {
    const fd = openSync(this.spec.logFile, 'r');
    try {
      const size = statSync(this.spec.logFile).size - this.logOffset;
      const buffer = Buffer.alloc(Math.max(0, size));
      readSync(fd, buffer, 0, buffer.length, this.logOffset);
      return buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  }

  /** SIGKILL: the crash the chaos run inflicts. Resolves once the process is gone. */
  async kill(): Promise<ChildExit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<ChildExit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
