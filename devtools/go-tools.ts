import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './project-root';

/** Where pinned tools are built to (git-ignored). */
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');

/** A command-line tool the project pins and, when it is nowhere to be found, builds from its Go package. */
export interface GoTool {
  /** What it is, for messages: e.g. "the Temporal CLI". */
  label: string;
  /** The Go package `go install` builds, e.g. `go.temporal.io/server/cmd/server`. */
  pkg: string;
  /** The pinned version of its module. */
  version: string;
  /** Its file name in .tools/. A name with the version in it makes a new pin rebuild instead of reusing the old one. */
  binary: string;
  /** An environment variable that may name a binary to use instead. */
  envVar?: string;
  /** Its name on PATH, when one found there will do (not for binaries Go names `server`, whose version PATH cannot tell). */
  pathName?: string;
  /** Go version its go.mod asks for, for the message shown when there is no Go. */
  goVersion: string;
  /** Other ways to get it, one line each, for that message. */
  otherWays?: string[];
}

type Log = (msg: string) => void;

export interface GoToolPlaces {
  log?: Log;
  /** Where the built binaries live; TOOLS_DIR unless a test points elsewhere. */
  toolsDir?: string;
  /** The Go toolchain, or undefined when there is none; findGo unless a test stands in for it. */
  findGo?: () => string | undefined;
}

/** The path of `name` on PATH, if any (the PATH of this module's process.env, like the env var lookups). */
export function onPath(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', env: process.env });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}

/** The Go toolchain, when there is one (PATH, or where the official tarball installs it). */
export function findGo(): string | undefined {
  return onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/**
 * Finds a pinned tool: its env var, then .tools/<binary>, then PATH (where that makes sense). When there is none it
 * builds the pinned version with `go install` (minutes the first time; Go's cache makes it seconds after). Without
 * Go it stops with instructions.
 */
export function ensureGoTool(tool: GoTool, places: GoToolPlaces = {}): string {
  const { log = (m) => process.stderr.write(m + '\n'), toolsDir = TOOLS_DIR, findGo: goToolchain = findGo } = places;
  const fromEnv = tool.envVar ? process.env[tool.envVar] : undefined;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${tool.envVar} points at ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const local = path.join(toolsDir, tool.binary);
  if (existsSync(local)) return local;
  const inPath = tool.pathName ? onPath(tool.pathName) : undefined;
  if (inPath) return inPath;

  const go = goToolchain();
  if (!go) throw new Error(noGoMessage(tool, local));
  log(`Building ${tool.label} (${tool.pkg}@${tool.version}) into .tools/ — the first build takes a few minutes…`);
  goInstall(go, tool, local);
  return local;
}

/**
 * `go install` names the binary after the package's last path element (both Temporal binaries are `server`), so it
 * builds into a scratch GOBIN and the binary is moved to its name in .tools/: a half-built one never lands there.
 */
function goInstall(go: string, tool: GoTool, target: string): void {
  mkdirSync(path.dirname(target), { recursive: true });
  const gobin = mkdtempSync(path.join(path.dirname(target), '.build-'));
  try {
    execFileSync(go, ['install', `${tool.pkg}@${tool.version}`], {
      env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const built = path.join(gobin, path.basename(tool.pkg));
    if (!existsSync(built)) throw new Error(`go install finished but ${built} is missing`);
    renameSync(built, target);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

function noGoMessage(tool: GoTool, target: string): string {
  const looked = [tool.envVar && `$${tool.envVar}`, `.tools/${tool.binary}`, tool.pathName && 'PATH'].filter(Boolean) as string[];
  const installed = path.basename(tool.pkg);
  const build =
    installed === tool.binary
      ? `GOBIN=${path.dirname(target)} go install ${tool.pkg}@${tool.version}`
      : `GOBIN=/tmp/gobin go install ${tool.pkg}@${tool.version} && mv /tmp/gobin/${installed} ${target}`;
  const ways = [...(tool.otherWays ?? []), `Go ${tool.goVersion}+: \`${build}\``];
  return [
    `Could not find ${tool.label} (looked at ${looked.slice(0, -1).join(', ')}${looked.length > 1 ? ' and ' : ''}${looked.at(-1)}), and there is no Go toolchain to build it.`,
    ways.length > 1 ? 'Get it one of these ways, then run again:' : 'Get it this way, then run again:',
    ...ways.map((way) => `  - ${way}`),
  ].join('\n');
}
