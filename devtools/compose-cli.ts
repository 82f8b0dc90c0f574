import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findGo, TOOLS_DIR } from './go-tools';

/** Pinned Docker Compose v2, used only to check docker-compose.yml (`config -q`); no Docker engine is needed. */
export const COMPOSE_MODULE = 'github.com/docker/compose/v2';
export const COMPOSE_VERSION = 'v2.40.3';

/** How to run compose: `docker compose` when the plugin is installed, else the standalone binary. */
export interface ComposeCommand {
  command: string;
  args: string[];
}

function dockerComposePlugin(): ComposeCommand | undefined {
  const result = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  return result.status === 0 ? { command: 'docker', args: ['compose'] } : undefined;
}

/**
 * Finds Docker Compose, or builds the pinned release into .tools/docker-compose with Go. Its go.mod has `exclude`
 * directives, so `go install module@version` refuses it: the module source is downloaded and built in place.
 * Returns undefined (with the reason logged) when neither compose nor Go is available.
 */
export function ensureComposeCli(log: (msg: string) => void = (m) => process.stderr.write(m + '\n')): ComposeCommand | undefined {
  const plugin = dockerComposePlugin();
  if (plugin) return plugin;
  const local = path.join(TOOLS_DIR, 'docker-compose');
  if (existsSync(local)) return { command: local, args: [] };
  const go = findGo();
  if (!go) {
    log('No Docker Compose and no Go toolchain: the docker-compose.yml checks will be skipped.');
    return undefined;
  }
  log(`Building Docker Compose ${COMPOSE_VERSION} into .tools/ (only to check docker-compose.yml) — a few minutes once…`);
  const download = JSON.parse(execFileSync(go, ['mod', 'download', '-json', `${COMPOSE_MODULE}@${COMPOSE_VERSION}`], { encoding: 'utf8' })) as { Dir: string };
  const work = mkdtempSync(path.join(os.tmpdir(), 'compose-src-'));
  try {
    cpSync(download.Dir, work, { recursive: true });
    execFileSync(go, ['build', '-trimpath', '-o', local, './cmd'], { cwd: work, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CGO_ENABLED: '0' } });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { command: local, args: [] };
}
