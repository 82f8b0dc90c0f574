import { spawn } from 'node:child_process';

export interface PgbenchRun {
  databaseUrl: string;
  scriptPath: string;
  clients: number;
  seconds: number;
  /** Values for the script's :variables (pgbench -D). */
  variables: Record<string, string | number>;
}

/**
 * Runs pgbench (no vacuum, custom script, fixed duration) and returns its transactions per second, excluding
 * connection setup, and how many transactions it completed. Throws with pgbench's own output when it fails or reports failed transactions.
 */
export async function runPgbench(run: PgbenchRun): Promise<{ tps: number; transactions: number }> {
  const url = new URL(run.databaseUrl);
  const args = [
    '-n',
    '-f', run.scriptPath,
    '-c', String(run.clients),
    '-j', String(Math.min(run.clients, 2)),
    '-T', String(run.seconds),
    '-h', url.hostname,
    '-p', url.port || '5432',
    '-U', decodeURIComponent(url.username || 'postgres'),
    ...Object.entries(run.variables).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    decodeURIComponent(url.pathname.slice(1)),
  ];
  const env = url.password ? { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } : process.env;
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.env.PGBENCH ?? 'pgbench', args, { env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, output }));
  });
  const tps = /^tps = ([\d.]+) \(without initial connection time\)/m.exec(output);
  const processed = /^number of transactions actually processed: (\d+)/m.exec(output);
  const failed = /^number of failed transactions: (\d+)/m.exec(output);
  if (code !== 0 || !tps || !processed || (failed && failed[1] !== '0')) {
    throw new Error(`pgbench failed (exit ${code}):\n${output}`);
  }
  return { tps: Number(tps[1]), transactions: Number(processed[1]) };
}
