import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The project's own import graph, read the way TypeScript reads imports: `import`, `import type`, `export … from`,
 * `import()` and `require()` are all edges (a type-only import ties two modules together as much as a value one:
 * neither can move or change alone). Only relative specifiers name project files; packages are left out.
 */

/** Where an import cycle is refused: every folder of code the project runs (tests may import anything). */
export const CYCLE_FREE_FOLDERS = ['src', 'workflows', 'activities', 'devtools', 'bench', 'scripts', 'chaos'];

const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'results', 'dist']);

/** Code files below `folders` of `root`, as root-relative paths with forward slashes. */
export function codeFiles(root: string, folders: readonly string[] = CYCLE_FREE_FOLDERS): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir))) {
      const rel = `${dir}/${name}`;
      if (statSync(path.join(root, rel)).isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(rel);
      } else if (CODE.test(name) && !name.endsWith('.d.ts')) {
        found.push(rel);
      }
    }
  };
  for (const folder of folders) if (existsSync(path.join(root, folder))) walk(folder);
  return found.sort();
}

const RESOLVED_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** The project file a relative specifier names, if it is one of `known`. */
function resolve(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const stem = base.replace(/\.(js|mjs|cjs)$/, '');
  const candidates = [base, ...RESOLVED_EXTENSIONS.map((ext) => stem + ext), ...RESOLVED_EXTENSIONS.map((ext) => `${base}/index${ext}`)];
  return candidates.find((candidate) => known.has(candidate));
}

/**
 * file → the project files it imports. `sources` overrides or adds file contents (root-relative path → text), so a
 * test can add a probe without writing it to disk.
 */
export function importGraph(root: string, files: readonly string[], sources: Record<string, string> = {}): Map<string, string[]> {
  const known = new Set([...files, ...Object.keys(sources)]);
  const graph = new Map<string, string[]>();
  for (const file of known) {
    const text = sources[file] ?? readFileSync(path.join(root, file), 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .flatMap((specifier) => resolve(file, specifier, known) ?? []);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The cycles of `graph`: each strongly connected component of more than one file (or a file importing itself),
 * sorted, with one import path around it so the message says where to cut.
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;

  // Tarjan's algorithm, iterative: a deep import chain must not overflow the call stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const target = edges[frame.edge++];
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, edge: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => a[0].localeCompare(b[0])).map((component) => cyclePath(graph, component));
}

/** One way round a component, starting at its first file: `a → b → c → a`. */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, component: string[]): string[] {
  const members = new Set(component);
  const start = component[0];
  // Breadth-first from start back to start, inside the component.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const way = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) way.splice(1, 0, at);
        return [...way, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return component;
}
