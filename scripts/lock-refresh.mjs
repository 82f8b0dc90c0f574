#!/usr/bin/env node
// `npm run lock:refresh`: rewrites package-lock.json so that it matches package.json and holds every platform's
// optional packages (@swc/core-darwin-arm64, @unrs/resolver-binding-win32-*, …), which `npm ci` insists on.
//
// Why a script: npm writes a lockfile from the tree it has installed when one exists, and a tree installed on one
// platform lacks the other platforms' optional packages; `npm ci` elsewhere then refuses the lockfile. Resolving in
// a directory with no node_modules makes npm compute the whole ideal tree from the registry metadata, so every
// platform's entries are written. Versions already locked stay as they are; only new or changed dependencies are
// resolved. Plain Node, no dependencies: it runs with a broken or missing node_modules.
//
//   npm run lock:refresh            refresh, check with `npm ci --dry-run`, write package-lock.json
//   npm run lock:refresh -- --check exit 1 when the committed lockfile is incomplete or out of step (changes nothing)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lockfile = path.join(root, 'package-lock.json');
const checkOnly = process.argv.includes('--check');
const npmFlags = ['--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'];

function npm(cwd, args) {
  const result = spawnSync('npm', [...args, ...npmFlags], { cwd, encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  // npm ci appends its whole usage text to a refusal; the lines before it say what is wrong.
  const cut = output.indexOf('npm error Clean install a project');
  return { ok: result.status === 0, output: (cut >= 0 ? output.slice(0, cut) : output).trim() };
}

/** Whether `npm ci` accepts this lockfile, without installing anything. */
function ciAccepts(dir) {
  return npm(dir, ['ci', '--dry-run']);
}

/** Refreshes (or checks) the lockfile in `work`, a scratch directory with no node_modules; returns the exit code. */
function refresh(work) {
  copyFileSync(path.join(root, 'package.json'), path.join(work, 'package.json'));
  if (existsSync(path.join(root, '.npmrc'))) copyFileSync(path.join(root, '.npmrc'), path.join(work, '.npmrc'));
  let lockText;
  try {
    lockText = readFileSync(lockfile, 'utf8');
    JSON.parse(lockText);
  } catch {
    // Missing, or left with merge-conflict markers: start from package.json alone (everything is resolved anew).
    console.error('[lock:refresh] package-lock.json is missing or not valid JSON: resolving every dependency anew');
    lockText = undefined;
  }
  if (lockText !== undefined) writeFileSync(path.join(work, 'package-lock.json'), lockText);

  if (checkOnly) {
    if (lockText === undefined) return 1;
    const check = ciAccepts(work);
    if (!check.ok) {
      console.error(`[lock:refresh] npm ci refuses package-lock.json:\n${check.output}\nRun \`npm run lock:refresh\`.`);
      return 1;
    }
    console.error('[lock:refresh] package-lock.json is complete and in step with package.json');
    return 0;
  }

  const install = npm(work, ['install', '--package-lock-only']);
  if (!install.ok) {
    console.error(`[lock:refresh] npm install --package-lock-only failed:\n${install.output}`);
    return 1;
  }
  const check = ciAccepts(work);
  if (!check.ok) {
    console.error(`[lock:refresh] the refreshed lockfile is still refused by npm ci:\n${check.output}`);
    return 1;
  }
  const refreshed = readFileSync(path.join(work, 'package-lock.json'), 'utf8');
  if (refreshed === lockText) {
    console.error('[lock:refresh] package-lock.json was already complete; unchanged');
  } else {
    writeFileSync(lockfile, refreshed);
    console.error('[lock:refresh] package-lock.json rewritten (complete for every platform; `npm ci` accepts it)');
  }
  return 0;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'order-saga-lock-'));
let code;
try {
  code = refresh(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
