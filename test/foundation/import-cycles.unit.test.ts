import path from 'node:path';
import { codeFiles, CYCLE_FREE_FOLDERS, importCycles, importGraph } from './import-graph';

/**
 * No import cycle in the code the project runs (src/, workflows/, activities/, devtools/, bench/, scripts/,
 * chaos/), type-only imports included: two modules that need each other cannot be understood, tested or moved one
 * at a time. A type two modules share lives below both. (ESLint's import-x/no-cycle skips type imports, hence
 * this walk of the import graph.)
 */
const root = path.resolve(__dirname, '..', '..');

describe('the import graph', () => {
  const files = codeFiles(root);

  it('reads every folder of running code', () => {
    for (const folder of CYCLE_FREE_FOLDERS) expect(files.some((file) => file.startsWith(`${folder}/`))).toBe(true);
    expect(files).toContain('src/api/app.ts');
  });

  it('has no cycle', () => {
    expect(importCycles(importGraph(root, files))).toEqual([]);
  });

  it('finds a new cycle, a type-only one too, and names the way round it', () => {
    const probes = {
      'src/cycle-probe-a.ts': "import type { B } from './cycle-probe-b';\nexport type A = { b?: B };\n",
      'src/cycle-probe-b.ts': "import { probe } from './cycle-probe-c';\nexport type B = typeof probe;\n",
      'src/cycle-probe-c.ts': "export { type A } from './cycle-probe-a';\nexport const probe = 1;\n",
    };
    expect(importCycles(importGraph(root, files, probes))).toEqual([
      ['src/cycle-probe-a.ts', 'src/cycle-probe-b.ts', 'src/cycle-probe-c.ts', 'src/cycle-probe-a.ts'],
    ]);
  });

  it('counts dynamic imports and require() as edges', () => {
    const probes = {
      'devtools/cycle-probe-a.ts': "export const load = () => import('./cycle-probe-b');\n",
      'devtools/cycle-probe-b.ts': "export const a = require('./cycle-probe-a');\n",
    };
    expect(importCycles(importGraph(root, files, probes))).toEqual([['devtools/cycle-probe-a.ts', 'devtools/cycle-probe-b.ts', 'devtools/cycle-probe-a.ts']]);
  });
});
