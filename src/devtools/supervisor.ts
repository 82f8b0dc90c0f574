import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const COLORS = [36, 35, 33, 32, 34, 31];

interface Managed {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Runs the processes of `npm start`, prefixing every output line with the process name, and stops them all:
 * in reverse start order, SIGTERM first, SIGKILL after a grace period.
 */
export class Supervisor {
  private readonly processes: Managed[] = [];
  private stopping = false;
  private readonly useColor = process.stdout.isTTY;

  constructor(private readonly onUnexpectedExit: (name: string, code: number | null) => void) {}

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    // detached: a process group of its own, so Ctrl-C reaches it only through us, in the order we choose.
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const color = COLORS[this.processes.length % COLORS.length];
    const prefix = this.useColor ? `\x1b[${color}m${name.padEnd(10)}|\x1b[0m ` : `${name.padEnd(10)}| `;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefix + line + '\n'));
    }
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    void exited.then((code) => {
      if (!this.stopping) this.onUnexpectedExit(name, code);
    });
    this.processes.push({ name, child, exited });
    return child;
  }

  log(message: string): void {
    process.stdout.write(`${'start'.padEnd(10)}| ${message}\n`);
  }

  /** Stops every process, newest first (API before worker before Temporal), each within `graceMs`. */
  async stopAll(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    for (const { name, child, exited } of [...this.processes].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      this.log(`stopping ${name}…`);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  }
}
