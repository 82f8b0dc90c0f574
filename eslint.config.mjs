// @ts-check
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The layers (README, Architecture). Production code (src/, workflows/, activities/, migrations/) never imports
 * the tools around it; the tools depend inwards only; test code is imported by nothing but tests.
 */
const PRODUCTION = ['./src', './workflows', './activities', './migrations', './mikro-orm.config.ts'];
/** The domain: business rules and their stores, with no idea that HTTP exists. */
const DOMAIN = ['./src/orders', './src/catalog', './src/payments', './src/shipping', './src/auth', './src/webhooks', './src/outbox'];
/** The processes that answer HTTP (each composes the toolkit with its own routes). */
const HTTP_APPS = ['./src/api', './src/simulator', './src/worker', './src/codec-server'];
export const LAYER_ZONES = [
  { target: PRODUCTION, from: ['./test', './bench', './chaos', './scripts', './devtools'], message: 'Production code never imports tests, the bench, chaos runs, scripts or dev tools.' },
  // Only the worker (the composition root of activities) reaches activities/; domain code sits below them.
  { target: ['./src/*.ts', './src/!(worker)/**'], from: './activities', message: 'Only src/worker registers activities; domain code sits below them.' },
  { target: './devtools', from: ['./test', './bench', './chaos', './scripts'], message: 'Dev tools depend on production code only.' },
  { target: ['./bench', './chaos', './scripts'], from: './test', message: 'Test helpers and fakes belong to the tests.' },
  { target: './chaos', from: './bench', message: 'Chaos runs share tools through devtools/, not the bench.' },
  // Inside src/: the domain knows nothing of HTTP; the HTTP toolkit serves every app and knows none of them.
  { target: DOMAIN, from: [...HTTP_APPS, './src/http'], message: 'Domain code never imports the HTTP layer: throw a DomainError (src/errors.ts); the error middleware maps its code to a status.' },
  { target: './src/http', from: [...DOMAIN, ...HTTP_APPS, './src/wire'], message: 'The HTTP toolkit (src/http) knows no app and no domain: they import it.' },
  // The simulator plays the outside world: it shares wire formats with the product (src/wire), nothing else.
  { target: './src/simulator', from: [...DOMAIN, './src/api', './src/worker', './src/codec-server', './workflows'], message: "The simulator imports the HTTP toolkit and the wire formats (src/wire), nothing of the product's domain." },
  { target: './src/wire', from: ['./src', './workflows'], except: ['./wire'], message: 'src/wire is what the product and the simulator say to each other: it imports neither.' },
];

export default tseslint.config(
  { ignores: ['jest.config.js', 'test/harness/summary-reporter.js', 'node_modules/**', 'dist/**', '.tools/**', '.data/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.d.ts', '.js', '.json'] })] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The domain knows nothing of HTTP: not the toolkit (the zones above), nor the web framework under it.
    files: DOMAIN.map((folder) => `${folder.slice(2)}/**/*.ts`),
    rules: {
      'no-restricted-imports': ['error', { paths: ['koa', '@koa/router', 'raw-body'].map((name) => ({ name, message: 'Domain code never imports the HTTP layer.' })) }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O, no wall clock.
    files: ['workflows/**/*.ts', 'bench/ceiling/workflow*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Node built-ins are not available in workflow code.' },
            {
              group: ['fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process', 'util', 'events', 'stream', 'buffer', 'url', 'zlib', 'dns', 'tls', 'worker_threads', 'timers'],
              message: 'Node built-ins are not available in workflow code.',
            },
            { group: ['pg', 'koa', '@mikro-orm/*', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflows do no I/O; call an activity.' },
          ],
        },
      ],
      // Activity and service code runs outside the sandbox: workflows see its types only (and proxy activities).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)(activities|src)(/|$)', allowTypeImports: true, message: 'Workflows import activity and service *types* only.' }] },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the workflow-safe random (it is seeded by Temporal).' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
