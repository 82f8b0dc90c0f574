/**
 * Two kinds of tests, told apart by the file name:
 *  - unit (`*.unit.test.ts`): pure code, in-process servers on loopback ports, activities with fake dependencies.
 *    No global setup: no Temporal server, no database, no built tools. The environment points PostgreSQL and
 *    Temporal at closed ports and the system-test helpers refuse to run, so a test that needs them fails at once.
 *  - system (every other `*.test.ts`): the real Temporal dev server and PostgreSQL, started once per run.
 * `npm test` runs the unit project, then the system project; `npm run test:unit` the unit project alone.
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.unit.test.ts'],
      setupFiles: ['<rootDir>/test/harness/unit-env.ts'],
    },
    {
      ...shared,
      displayName: 'system',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.unit\\.test\\.ts$'],
      // One Temporal dev server and one migrated test database for the whole run.
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
  // Run-wide settings (jest reads these from the top level only).
  testTimeout: 60_000,
  // Two cores: the dev server, PostgreSQL and workers share them with jest.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/harness/summary-reporter.js'],
};
