/**
 * `npm run profile:summary -- <folder>`: where the CPU went, from the V8 CPU profiles a run wrote with
 * NODE_CPU_PROFILE_DIR (one sub-folder per service instance). Prints, per service, self time by package (or
 * project folder, Node internals, GC) and the hottest functions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who a frame belongs to: an npm package, a project folder, Node itself, or V8's own bookkeeping. */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + 'node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const file = url.replace(/^file:\/\//, '');
  // Compiled code (the bench's default runtime, .data/compiled/; the image's dist/) counts as the folder it came from.
  const project = path.relative(process.cwd(), file).replace(/^(\.data\/compiled|dist)\//, '');
  return project.startsWith('..') ? file : `project: ${project.split(path.sep).slice(0, 2).join('/')}`;
}

/** Self time (ms) by owner and by function, from one profile. */
export function selfTimes(profile: CpuProfile): { total: number; byOwner: Map<string, number>; byFunction: Map<string, number> } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node || node.callFrame.functionName === '(idle)') return;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const owner = ownerOf(url, functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''} [${owner}]`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  });
  return { total, byOwner, byFunction };
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `    ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: npm run profile:summary -- <NODE_CPU_PROFILE_DIR> [top N]\n');
    process.exit(2);
  }
  const n = Number(process.argv[3] ?? 12);
  for (const service of readdirSync(dir).filter((d) => statSync(path.join(dir, d)).isDirectory()).sort()) {
    for (const file of readdirSync(path.join(dir, service)).filter((f) => f.endsWith('.cpuprofile'))) {
      const { total, byOwner, byFunction } = selfTimes(JSON.parse(readFileSync(path.join(dir, service, file), 'utf8')) as CpuProfile);
      process.stdout.write(`\n${service} (${file}): ${(total / 1000).toFixed(1)} CPU-s on the main thread, not idle\n  by owner:\n`);
      process.stdout.write(top(byOwner, total, n).join('\n') + '\n  hottest functions (self time):\n');
      process.stdout.write(top(byFunction, total, n).join('\n') + '\n');
    }
  }
}

if (require.main === module) main();
