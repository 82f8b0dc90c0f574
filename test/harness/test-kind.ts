/** Set by test/harness/unit-env.ts in every unit test file's environment. */
export const UNIT_TEST_MARKER = 'ORDER_SAGA_UNIT_TEST';

/**
 * Called by every helper that starts or reaches real parts (database, Temporal, the whole stack): in a unit test it
 * throws, naming the rule, so a system test filed as a unit test fails loudly instead of hanging or connecting to
 * whatever runs on the machine.
 */
export function requireSystemTest(what: string): void {
  if (process.env[UNIT_TEST_MARKER]) {
    throw new Error(
      `${what} needs PostgreSQL and Temporal, which unit tests (*.unit.test.ts) do not have: ` +
        'name the file *.test.ts to make it a system test (see jest.config.js).',
    );
  }
}
