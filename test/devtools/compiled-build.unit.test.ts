import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import type { BuildStamp } from '../../devtools/launcher/compiled';
import { compiledEntry, staleReason } from '../../devtools/launcher/compiled';

// When the compiled runtime's build is reused: only while every file it read is as it was and the roots are the same.
describe('compiled build freshness', () => {
  let root: string;
  let stamp: BuildStamp;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'compiled-stamp-'));
    for (const file of ['a.ts', 'b.ts']) writeFileSync(path.join(root, file), `export const x = '${file}';\n`);
    const stat = (f: string) => {
      const { size, mtimeMs } = statSync(path.join(root, f));
      return { size, mtimeMs };
    };
    stamp = { typescript: ts.version, roots: ['a.ts'], inputs: { 'a.ts': stat('a.ts'), 'b.ts': stat('b.ts') } };
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reuses a build whose inputs are unchanged', () => {
    expect(staleReason(stamp, ['a.ts'], root)).toBeUndefined();
  });

  it('rebuilds when there was none, or an input changed or went', () => {
    expect(staleReason(undefined, ['a.ts'], root)).toBe('no previous build');
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(root, 'b.ts'), later, later);
    expect(staleReason(stamp, ['a.ts'], root)).toBe('b.ts changed');
    rmSync(path.join(root, 'b.ts'));
    expect(staleReason(stamp, ['a.ts'], root)).toBe('b.ts is gone');
  });

  it('reuses a build holding more roots than asked (the bench worker beside the services)', () => {
    expect(staleReason(stamp, [], root)).toBeUndefined();
  });

  it('rebuilds when a root file appears (a new migration), or TypeScript changed', () => {
    expect(staleReason(stamp, ['a.ts', 'm.ts'], root)).toBe('new: m.ts');
    expect(staleReason({ ...stamp, typescript: '0.0.1' }, ['a.ts'], root)).toMatch(/^TypeScript 0\.0\.1 → /);
  });

  it('maps a TypeScript entry to its JavaScript in the output folder', () => {
    expect(compiledEntry('src/api/main.ts', '/out')).toBe('/out/src/api/main.js');
  });
});
