import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineDescription {
  nproc: string;
  cpuModel: string;
  memory: string;
  node: string;
  kernel: string;
}

const run = (command: string, args: string[]) => {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

/** What the figures came from: `nproc`, the CPU model, `free -h` (the Mem line), Node and kernel versions. */
export function describeMachine(): MachineDescription {
  const memLine = run('free', ['-h']).split('\n').find((l) => l.startsWith('Mem:')) ?? 'unknown';
  const [, total, used, free] = memLine.split(/\s+/);
  return {
    nproc: run('nproc', []),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memory: `${total} total, ${used} used, ${free} free (free -h)`,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
  };
}
