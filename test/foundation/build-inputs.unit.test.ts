import path from 'node:path';
import ts from 'typescript';
import * as workflows from '../../workflows';

/**
 * `npm run build` compiles tsconfig.build.json's files and everything they import. This walks the same program
 * TypeScript builds and checks what would reach dist/: production code only, no dev tools (the launcher, the
 * Temporal CLI finder), no bench (its no-op ceiling workflow), no
 * chaos runs, no tests.
 */
const root = path.resolve(__dirname, '..', '..');

function buildInputs(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options: { ...config.options, noResolve: false, types: [] },
  });
  return program
    .getSourceFiles()
    .map((f) => path.relative(root, f.fileName))
    .filter((f) => !f.startsWith('..') && !f.includes('node_modules'));
}

describe('the production build', () => {
  const inputs = buildInputs();

  it('compiles the services, workflows, activities and migrations', () => {
    for (const entry of [
      'src/api/main.ts',
      'src/worker/main.ts',
      'src/simulator/main.ts',
      'workflows/index.ts',
      'activities/index.ts',
      'scripts/migrate.ts',
      'scripts/healthcheck.ts',
    ]) {
      expect(inputs).toContain(entry);
    }
  });

  it('holds no dev tool, bench, chaos or test code', () => {
    const foreign = inputs.filter(
      (f) =>
        /^(devtools|bench|chaos|test)\//.test(f) ||
        /^scripts\/(start|bootstrap|temporal-cli|compose-cli|docs-screenshot)/.test(f),
    );
    expect(foreign).toEqual([]);
  });

  it('registers no bench workflow: the production worker runs only the product workflows', () => {
    expect(Object.keys(workflows).filter((name) => /ceiling/i.test(name))).toEqual([]);
    expect(inputs.filter((f) => /ceiling/i.test(f))).toEqual([]);
  });
});
