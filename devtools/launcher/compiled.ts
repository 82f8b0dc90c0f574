import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from '../project-root';

/**
 * How the launcher runs a service: `tsx` compiles TypeScript as it loads (what development wants: no build step);
 * `compiled` runs plain `node` on JavaScript that tsc compiled with the production build's settings
 * (tsconfig.build.json), which is what the Docker image runs — the runtime a measurement of cost must use.
 */
export const RUNTIMES = ['tsx', 'compiled'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/**
 * Where the `compiled` runtime's JavaScript goes. Not dist/: a run may need entries the production build leaves out
 * (the bench's worker, which registers the ceiling workflow), and dist/ holds production code only.
 */
export const COMPILED_DIR = path.join(PROJECT_ROOT, '.data', 'compiled');

const BUILD_CONFIG = path.join(PROJECT_ROOT, 'tsconfig.build.json');
const STAMP = '.build-stamp.json';

/** The compiled file of a TypeScript entry (`src/api/main.ts` → `<outDir>/src/api/main.js`). */
export const compiledEntry = (entry: string, outDir = COMPILED_DIR) => path.join(outDir, entry.replace(/\.ts$/, '.js'));

/** What a build was made from: enough to tell, without compiling, whether it still matches the sources. */
export interface BuildStamp {
  typescript: string;
  /** The program's root files (tsconfig.build.json's, plus the extra entries), relative to the root. */
  roots: string[];
  /** Every project file the compiler read (roots, their imports, the tsconfig files): size and mtime. */
  inputs: Record<string, { size: number; mtimeMs: number }>;
}

/**
 * Why a build no longer serves `roots` (a file it read changed or went, a root is new), or undefined when it does. A
 * build with more roots than asked still serves: extra files change nothing in the others' JavaScript.
 */
export function staleReason(stamp: BuildStamp | undefined, roots: string[], root = PROJECT_ROOT): string | undefined {
  if (!stamp) return 'no previous build';
  if (stamp.typescript !== ts.version) return `TypeScript ${stamp.typescript} → ${ts.version}`;
  const added = roots.filter((r) => !stamp.roots.includes(r));
  if (added.length) return `new: ${added.join(' ')}`;
  for (const [file, was] of Object.entries(stamp.inputs)) {
    const now = statOrUndefined(path.join(root, file));
    if (!now) return `${file} is gone`;
    if (now.size !== was.size || now.mtimeMs !== was.mtimeMs) return `${file} changed`;
  }
  return undefined;
}

export interface CompiledBuild {
  outDir: string;
  /** false: the previous build still matched the sources and was kept. */
  built: boolean;
  /** Why it was (re)built. */
  reason?: string;
  ms: number;
}

/**
 * Compiles tsconfig.build.json's program (the production build: the same files and settings as `npm run build`) into
 * `outDir`, plus any entry outside it with the modules beside it (bench/ceiling/worker.ts resolves ./workflows by
 * name, not by import). Only when the sources changed since the last build: a bench run after a bench run starts at
 * once. A type error fails it, as it fails `npm run build`.
 */
export function buildCompiled(
  entries: string[],
  options: { outDir?: string; log?: (m: string) => void } = {},
): CompiledBuild {
  const outDir = options.outDir ?? COMPILED_DIR;
  const started = performance.now();
  const production = productionRoots();
  const previous = readStamp(outDir);
  // The entries outside the production build, and those an earlier run needed (still there): the bench's worker
  // and a test of the services then share one build instead of each compiling the other's away.
  const extras = [
    ...new Set([
      ...entries.filter((e) => !production.includes(e)).flatMap(siblingModules),
      ...(previous?.roots ?? []).filter((r) => !production.includes(r) && existsSync(path.join(PROJECT_ROOT, r))),
    ]),
  ].sort();
  const roots = [...production, ...extras].sort();
  const reason =
    staleReason(previous, roots) ??
    (entries.every((e) => existsSync(compiledEntry(e, outDir))) ? undefined : 'an entry is missing');
  if (!reason) return { outDir, built: false, ms: performance.now() - started };
  options.log?.(`compiling the services with tsc (${reason})…`);
  // From scratch (a deleted source, a migration above all, must not live on as stale JavaScript), beside the old
  // build, which is swapped out only once this one is whole: a failed build leaves the old one as it was.
  const building = `${outDir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  try {
    const project = path.join(building, 'tsconfig.json');
    // tsconfig.build.json's settings and files (its include resolves against its own folder), plus the extras.
    writeFileSync(
      project,
      JSON.stringify(
        {
          extends: BUILD_CONFIG,
          compilerOptions: { outDir: building },
          files: extras.map((f) => path.join(PROJECT_ROOT, f)),
        },
        null,
        2,
      ),
    );
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project, '--listFiles'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = `${tsc.stdout}`.split('\n').map((l) => l.trim());
    if (tsc.status !== 0) {
      const errors = lines.filter((l) => l && !path.isAbsolute(l));
      throw new Error(`tsc (tsconfig.build.json's settings) failed:\n${errors.join('\n')}${tsc.stderr ?? ''}`);
    }
    const missing = entries.filter((e) => !existsSync(compiledEntry(e, building)));
    if (missing.length) throw new Error(`tsc compiled no ${missing.join(', ')}`);
    const read = lines.filter((l) => path.isAbsolute(l)).map((l) => path.relative(PROJECT_ROOT, l));
    const inputs: BuildStamp['inputs'] = {};
    for (const file of [
      ...read.filter((f) => !f.startsWith('..') && !f.includes('node_modules')),
      'tsconfig.json',
      'tsconfig.build.json',
    ]) {
      const { size, mtimeMs } = statSync(path.join(PROJECT_ROOT, file));
      inputs[file] = { size, mtimeMs };
    }
    const stamp: BuildStamp = { typescript: ts.version, roots, inputs };
    writeFileSync(path.join(building, STAMP), JSON.stringify(stamp));
    rmSync(outDir, { recursive: true, force: true });
    renameSync(building, outDir);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return { outDir, built: true, reason, ms: performance.now() - started };
}

/** tsconfig.build.json's root files, relative to the root (a glob over its include, no compiling). */
function productionRoots(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    BUILD_CONFIG,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  return config.fileNames.map((f) => path.relative(PROJECT_ROOT, f)).sort();
}

/** An entry and the TypeScript modules in its folder (not declarations or tests). */
function siblingModules(entry: string): string[] {
  const dir = path.dirname(entry);
  const modules = readdirSync(path.join(PROJECT_ROOT, dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
  return [entry, ...modules];
}

function readStamp(outDir: string): BuildStamp | undefined {
  try {
    return JSON.parse(readFileSync(path.join(outDir, STAMP), 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
}

function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
