import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Where a process's output goes:
 * - `console`: every line on our stdout, prefixed with the process name (npm start);
 * - `{ logFile }`: appended straight to a file, never through this process, so reading logs costs a measured
 *   system nothing (bench, chaos).
 */
export type OutputMode = 'console' | { logFile: string };

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  output: OutputMode;
  cwd?: string;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const COLORS = [36, 35, 33, 32, 34, 31];
let started = 0;

/**
 * One process the launcher runs. It gets a process group of its own (detached), so a Ctrl-C in the terminal reaches
 * it only through the launcher, which stops everything in its own order.
 */
export class ManagedProcess {
  readonly startedAt = performance.now();
  readonly exited: Promise<ProcessExit>;
  private exit?: ProcessExit;
  /** console mode: the lines seen so far, for waitForLog. */
  private readonly lines: string[] = [];
  private readonly logOffset: number = 0;
  private readonly child: ChildProcess;

  constructor(
    readonly spec: ProcessSpec,
    onExit?: (exit: ProcessExit) => void,
  ) {
    const { output } = spec;
    let child: ChildProcess;
    if (output === 'console') {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const color = COLORS[started++ % COLORS.length];
      const name = spec.name.padEnd(10);
      const prefix = process.stdout.isTTY ? `\x1b[${color}m${name}|\x1b[0m ` : `${name}| `;
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream! }).on('line', (line) => {
          if (this.lines.length < 10_000) this.lines.push(line);
          process.stdout.write(prefix + line + '\n');
        });
      }
    } else {
      const fd = openSync(output.logFile, 'a');
      this.logOffset = statSync(output.logFile).size;
      writeSync(fd, `\n--- ${new Date().toISOString()} ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`);
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
      closeSync(fd); // the child holds its own copy
    }
    if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
        onExit?.(this.exit);
      });
    });
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

  /** This run's output so far. */
  output(): string {
    const { output } = this.spec;
    if (output === 'console') return this.lines.join('\n');
    const fd = openSync(output.logFile, 'r');
    try {
      const size = statSync(output.logFile).size - this.logOffset;
      const buffer = Buffer.alloc(Math.max(0, size));
      readSync(fd, buffer, 0, buffer.length, this.logOffset);
      return buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  }

  /** The first line of this run's output holding `text`, and how many ms after spawn it was seen. */
  async waitForLog(text: string, timeoutMs: number): Promise<{ ms: number; line: string }> {
    const deadline = Date.now() + timeoutMs;
    const where = this.spec.output === 'console' ? 'its output above' : this.spec.output.logFile;
    while (Date.now() < deadline) {
      const line = this.output()
        .split('\n')
        .find((l) => l.includes(text));
      if (line !== undefined) return { ms: performance.now() - this.startedAt, line };
      if (!this.running)
        throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before logging "${text}"; see ${where}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${this.name} did not log "${text}" within ${timeoutMs} ms; see ${where}`);
  }

  /** SIGKILL: the crash a chaos run inflicts. Resolves once the process is gone. */
  async kill(): Promise<ProcessExit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<ProcessExit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
