import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/**
 * Where nothing listens (port 1): an entry point run with these must stop before it would reach Temporal, the
 * database or its own metrics port, or the test sees it hang or fail to connect instead of the exit it expects.
 */
export const NOTHING_LISTENS = {
  WORKER_METRICS_PORT: '1',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
} as const;

/**
 * Runs one of the project's TypeScript entry points (e.g. src/worker/main.ts) to its exit, with this environment:
 * its exit code and what it wrote to stderr. Node's --import tsx, as scripts/bootstrap.mjs runs TypeScript (the tsx
 * CLI would add a process per entry).
 */
export function runEntry(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}
