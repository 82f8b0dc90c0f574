import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The layering rules of eslint.config.mjs (README, Architecture) catch a reverse import. ESLint runs in a child
 * process (its config is an ES module, which jest's CommonJS runtime cannot load) on the project's own config,
 * linting probe sources under paths they would have in the project. Type-aware linting is turned off for the
 * probes, which exist only in memory.
 */
const root = path.resolve(__dirname, '..', '..');

interface Finding {
  ruleId: string | null;
  message: string;
}

function lint(probes: Record<string, string>): Record<string, Finding[]> {
  const script = `
    import { ESLint } from 'eslint';
    const probes = JSON.parse(process.argv[1]);
    const eslint = new ESLint({
      cwd: process.cwd(),
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false } }, rules: { '@typescript-eslint/no-floating-promises': 'off' } }],
    });
    const out = {};
    for (const [filePath, code] of Object.entries(probes)) {
      const [result] = await eslint.lintText(code, { filePath });
      out[filePath] = result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(probes)], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as Record<string, Finding[]>;
}

const rules = (findings: Finding[]) => findings.map((f) => f.ruleId);

describe('layering rules', () => {
  const results = lint({
    'src/orders/layering-probe.ts':
      "import { testConfig } from '../../test/harness/env';\nexport const probe = testConfig;\n",
    'src/layering-probe.ts': "import { launch } from '../devtools/launcher';\nexport const probe = launch;\n",
    'activities/layering-probe.ts':
      "import { runChaos } from '../chaos/lib/chaos-run';\nexport const probe = runChaos;\n",
    'src/catalog/layering-probe.ts':
      "import { createActivities } from '../../activities';\nexport const probe = createActivities;\n",
    'workflows/layering-probe.ts':
      "import { createActivities } from '../activities';\nexport const probe = createActivities;\n",
    'workflows/layering-types-probe.ts':
      "import type { Activities } from '../activities';\nexport type Probe = Activities;\n",
    'devtools/layering-probe.ts':
      "import { startStack } from '../test/harness/stack';\nexport const probe = startStack;\n",
    'src/orders/layering-allowed-probe.ts':
      "import { loadConfig } from '../config';\nexport const probe = loadConfig;\n",
    'src/orders/layering-http-probe.ts': "import { HttpError } from '../http/errors';\nexport const probe = HttpError;\n",
    'src/payments/layering-api-probe.ts': "import type { ApiDeps } from '../api/app';\nexport type Probe = ApiDeps;\n",
    'src/webhooks/layering-koa-probe.ts': "import type { Context } from 'koa';\nexport type Probe = Context;\n",
    'src/http/layering-probe.ts': "import { OrderSchema } from '../orders/entities';\nexport const probe = OrderSchema;\n",
    'src/simulator/layering-probe.ts': "import { createPaymentProvider } from '../payments/provider-factory';\nexport const probe = createPaymentProvider;\n",
    'src/wire/layering-probe.ts': "import { DomainError } from '../errors';\nexport const probe = DomainError;\n",
    'src/simulator/layering-allowed-probe.ts':
      "import { routeDeclarer } from '../http/route';\nimport { currencySchema } from '../wire/money';\nexport const probe = [routeDeclarer, currencySchema];\n",
    'src/wire/layering-allowed-probe.ts': "import { currencySchema } from './money';\nexport const probe = currencySchema;\n",
  });

  it.each([
    ['src/orders/layering-probe.ts', 'src → test/'],
    ['src/layering-probe.ts', 'src → devtools/'],
    ['activities/layering-probe.ts', 'activities → chaos/'],
    ['src/catalog/layering-probe.ts', 'domain code → activities/'],
    ['devtools/layering-probe.ts', 'devtools → test/'],
    ['src/orders/layering-http-probe.ts', 'domain code → the HTTP toolkit'],
    ['src/payments/layering-api-probe.ts', 'domain code → the API (a type too)'],
    ['src/http/layering-probe.ts', 'the HTTP toolkit → domain code'],
    ['src/simulator/layering-probe.ts', 'the simulator → the product\'s domain'],
    ['src/wire/layering-probe.ts', 'the wire formats → the rest of src/'],
  ])('refuses %s (%s)', (file) => {
    expect(rules(results[file])).toContain('import-x/no-restricted-paths');
  });

  it('refuses a value import of activities in workflow code, and allows its types', () => {
    expect(rules(results['workflows/layering-probe.ts'])).toContain('@typescript-eslint/no-restricted-imports');
    expect(results['workflows/layering-types-probe.ts']).toEqual([]);
  });

  it('refuses the web framework in domain code', () => {
    expect(rules(results['src/webhooks/layering-koa-probe.ts'])).toContain('no-restricted-imports');
  });

  it('allows imports along the layers', () => {
    expect(results['src/orders/layering-allowed-probe.ts']).toEqual([]);
    expect(results['src/simulator/layering-allowed-probe.ts']).toEqual([]);
    expect(results['src/wire/layering-allowed-probe.ts']).toEqual([]);
  });
});
