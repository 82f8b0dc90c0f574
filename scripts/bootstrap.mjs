#!/usr/bin/env node
// The entry of `npm start`, `npm test` and the other npm scripts. Plain Node with no dependencies, so it runs on a
// clean clone: it installs what is missing (node_modules), then hands over to the TypeScript scripts.
//   node scripts/bootstrap.mjs start        → scripts/start.ts (the whole system)
//   node scripts/bootstrap.mjs test [args]  → lint, typecheck, then the unit and the system tests (args go to jest)
//   node scripts/bootstrap.mjs run FILE …   → any TypeScript script, e.g. bench/saga.ts
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** A fingerprint of the dependency manifest, stored in node_modules after a successful install. */
function manifestHash() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) {
    const full = path.join(root, file);
    if (existsSync(full)) hash.update(readFileSync(full));
  }
  return hash.digest('hex');
}

function ensureDependencies() {
  const stamp = path.join(root, 'node_modules', '.order-saga-installed');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === manifestHash()) return;
  console.error('[bootstrap] installing npm dependencies (npm ci)…');
  // `npm ci`: exactly the locked versions, and package-lock.json is never rewritten. The lockfile holds every
  // platform's optional packages (kept so by `npm run lock:refresh`), so this works on any machine.
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[bootstrap] npm ci failed. If it says package.json and package-lock.json are out of sync, run `npm run lock:refresh`.');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, manifestHash());
}

function runSync(command, args) {
  console.error(`[bootstrap] ${path.basename(command)} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * Runs a TypeScript file with Node's `--import tsx` (no `tsx` wrapper process: the wrapper SIGKILLs a child that
 * does not acknowledge a relayed SIGTERM within 30 ms, which a busy machine easily misses, cutting an orderly
 * shutdown short).
 */
const typescript = (file, args) => [process.execPath, ['--import', 'tsx', file, ...args]];

/** Runs a long-lived child and mirrors its exit; Ctrl-C reaches it directly, so we only wait for it. */
function runForeground(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', () => undefined); // the terminal sends SIGINT to the child too; wait for it to finish
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const [command, ...rest] = process.argv.slice(2);
ensureDependencies();
switch (command) {
  case 'start':
    runForeground(...typescript('scripts/start.ts', rest));
    break;
  case 'test':
    runSync(bin('eslint'), ['.']);
    runSync(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
    // Without arguments: the unit tests first (seconds, nothing to start), then the system tests. With arguments
    // (a file, -t …), one jest run over both kinds, which picks whatever matches.
    if (rest.length === 0) runSync(bin('jest'), ['--selectProjects', 'unit']);
    runSync(bin('tsx'), ['scripts/temporal-cli.ts']); // builds the pinned CLI once, before jest's clock starts
    runSync(bin('tsx'), ['scripts/stripe-mock.ts']); // Stripe's API mock, for the Stripe adapter's contract tests
    runSync(bin('tsx'), ['scripts/compose-cli.ts']); // docker compose, to check docker-compose.yml (no engine needed)
    runSync(bin('tsx'), ['scripts/temporal-cluster.ts', '--build-only']); // the Temporal server on PostgreSQL (mTLS test)
    runForeground(bin('jest'), rest.length === 0 ? ['--selectProjects', 'system'] : rest);
    break;
  case 'run':
    if (!rest[0]) {
      console.error('usage: node scripts/bootstrap.mjs run FILE [args…]');
      process.exit(2);
    }
    runForeground(...typescript(rest[0], rest.slice(1)));
    break;
  default:
    console.error('usage: node scripts/bootstrap.mjs start | test [jest args] | run FILE [args]');
    process.exit(2);
}
